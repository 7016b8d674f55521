using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/K2.Benchmarks -- --filter '*'   (see docs/PERFORMANCE.md)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
