using BenchmarkDotNet.Running;
using K2.Benchmarks.HotStore;

// dotnet run -c Release --project benchmarks/K2.Benchmarks -- --filter '*'   (BenchmarkDotNet micro-benchmarks)
// dotnet run -c Release --project benchmarks/K2.Benchmarks -- ingest        (load harnesses; see docs/PERFORMANCE.md)
// dotnet run -c Release --project benchmarks/K2.Benchmarks -- latency
// dotnet run -c Release --project benchmarks/K2.Benchmarks -- offload [--rows N]
switch (args)
{
    case ["ingest", .. var options]:
        return await IngestBenchmark.RunAsync(options);
    case ["latency", .. var options]:
        return await LatencyBenchmark.RunAsync(options);
    case ["offload", .. var options]:
        return await OffloadBenchmark.RunAsync(options);
    default:
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
}
