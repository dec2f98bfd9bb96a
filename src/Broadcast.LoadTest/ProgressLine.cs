using System.Globalization;

namespace Broadcast.LoadTest;

/// <summary>One progress line on stderr, redrawn each second on a terminal, printed every 5 s when redirected.</summary>
public sealed class ProgressLine(Schedule schedule, IReadOnlyList<ViewerProcess> children, IngestDriver? ingest)
{
    private readonly bool _terminal = !Console.IsErrorRedirected;

    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        long lastDeliveries = 0, lastForms = 0;
        var tick = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var deliveries = children.Sum(c => c.Progress?.Deliveries ?? 0);
                var forms = ingest?.FormsAccepted ?? 0;
                var line = Format(deliveries - lastDeliveries, forms - lastForms, forms);
                (lastDeliveries, lastForms) = (deliveries, forms);
                if (_terminal)
                    Console.Error.Write("\r" + line.PadRight(Math.Min(Console.WindowWidth > 0 ? Console.WindowWidth - 1 : 120, 160)));
                else if (tick % 5 == 0)
                    Console.Error.WriteLine(line);
                tick++;
            }
        }
        catch (OperationCanceledException)
        {
            // the run is over
        }
        if (_terminal)
            Console.Error.WriteLine();
    }

    private string Format(long deliveriesPerSecond, long formsPerSecond, long forms)
    {
        var now = Schedule.Now;
        var phase = now < schedule.StartAt ? "start"
            : now < schedule.WindowStart ? "ramp"
            : now < schedule.WindowEnd ? "window"
            : "drain";
        var t = Schedule.Seconds(now - schedule.StartAt);
        var held = children.Sum(c => c.Progress?.Held ?? 0);
        var failures = children.Sum(c => c.Progress?.Failures ?? 0);
        return string.Create(CultureInfo.InvariantCulture,
            $"{t,5:F0}s {phase,-6} | viewers held {held:N0} | deliveries {deliveriesPerSecond:N0}/s | " +
            $"forms {formsPerSecond:N0}/s, {forms:N0} accepted, {ingest?.InFlight ?? 0} in flight | failures {failures:N0}");
    }
}
