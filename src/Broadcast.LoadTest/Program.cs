namespace Broadcast.LoadTest;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        LoadOptions options;
        try
        {
            options = LoadOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"loadtest: {e.Message}");
            return 2;
        }
        if (options.Help)
        {
            Console.Out.WriteLine(LoadOptions.Usage);
            return 0;
        }
        try
        {
            return options.Role switch
            {
                "viewers" => await new ViewerFleet(options).RunAsync(),
                "frames" => await new FrameSizes(options).RunAsync(),
                "self-test" => SelfTest.Run(options, Console.Out),
                _ => await new Coordinator(options).RunAsync(),
            };
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or HttpRequestException)
        {
            Console.Error.WriteLine($"loadtest: {e.Message}");
            return 2;
        }
    }
}
