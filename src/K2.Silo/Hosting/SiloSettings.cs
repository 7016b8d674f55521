namespace K2.Silo.Hosting;

/// <summary>What <c>k2 run</c> was asked to do; <paramref name="DataDirectory"/> is null when <c>--data</c> was not given.</summary>
internal sealed record SiloSettings(string? DataDirectory, string Urls, bool Simulate, string? InstrumentsPath);
