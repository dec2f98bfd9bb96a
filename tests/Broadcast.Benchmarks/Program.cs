using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Broadcast.Benchmarks -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Broadcast.Benchmarks.FoldBenchmarks).Assembly).Run(args);
