using System.Runtime.InteropServices;
using Broadcast.Client.Sample.Graphics;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

var (options, error) = GraphicsOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine($"broadcast-graphics: {error}");
    return 2;
}
if (options.Help)
{
    Console.WriteLine(GraphicsOptions.Usage);
    return 0;
}

using var logging = LoggerFactory.Create(builder => builder.AddSimpleConsole(console =>
{
    console.SingleLine = true;
    console.TimestampFormat = "HH:mm:ss ";
}));
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
{
    signal.Cancel = true;
    stop.Cancel();
});

try
{
    await GraphicsFollower.RunAsync(options, logging, stop.Token);
    return 0;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    return 0;
}
catch (HubException refused)
{
    // SignalR prefixes the server's reason with "An unexpected error occurred invoking ... HubException: ".
    var reason = refused.Message[(refused.Message.IndexOf("HubException: ", StringComparison.Ordinal) is var at and >= 0 ? at + 14 : 0)..];
    Console.Error.WriteLine($"broadcast-graphics: {options.Server} refused to follow {options.Contest} {options.Region}: {reason}");
    return 1;
}
catch (Exception failed) when (failed is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"broadcast-graphics: cannot write {options.Out}: {failed.Message}");
    return 1;
}
