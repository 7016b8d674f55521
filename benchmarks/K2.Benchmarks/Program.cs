using BenchmarkDotNet.Running;
using K2.Benchmarks.Api;
using K2.Benchmarks.HotStore;
using K2.Benchmarks.Metrics;
using K2.Benchmarks.Pipeline;

// dotnet run -c Release --project benchmarks/K2.Benchmarks -- --filter '*'   (BenchmarkDotNet micro-benchmarks)
// dotnet run -c Release --project benchmarks/K2.Benchmarks -- ingest [--transport embedded|http] [--trades N] [--reads N]   (load harnesses; see docs/PERFORMANCE.md)
// dotnet run -c Release --project benchmarks/K2.Benchmarks -- latency
// dotnet run -c Release --project benchmarks/K2.Benchmarks -- offload [--rows N]
// dotnet run -c Release --project benchmarks/K2.Benchmarks -- export [--small N] [--large N] [--runs N]
// dotnet run -c Release --project benchmarks/K2.Benchmarks -- pipeline      (k2 run against the simulator, end to end)
// dotnet run -c Release --project benchmarks/K2.Benchmarks -- api [--trades N] [--days N] [--seconds N] [--runs N] [--cases all|exports]   (the query API with wrk)
// dotnet run -c Release --project benchmarks/K2.Benchmarks -- scrape [--scrapes N] [--runs N]   (CPU of a /metrics scrape while ingesting)
switch (args)
{
    case ["ingest", .. var options]:
        return await IngestBenchmark.RunAsync(options);
    case ["latency", .. var options]:
        return await LatencyBenchmark.RunAsync(options);
    case ["offload", .. var options]:
        return await OffloadBenchmark.RunAsync(options);
    case ["export", .. var options]:
        return await ExportBenchmark.RunAsync(options);
    case ["export-case", .. var options]:
        return await ExportBenchmark.RunCaseAsync(options);
    case ["pipeline", .. var options]:
        return await PipelineBenchmark.RunAsync(options);
    case ["api", .. var options]:
        return await ApiBenchmark.RunAsync(options);
    case ["scrape", .. var options]:
        return await ScrapeCostBenchmark.RunAsync(options);
    case ["api-store", .. var options]:
        return await ApiDataSet.RunStepAsync(options);
    default:
        BenchmarkSwitcher.FromAssembly(typeof(IngestBenchmark).Assembly).Run(args);
        return 0;
}
