namespace K2.Silo.Hosting;

/// <summary>What <c>k2 run</c> was asked to do.</summary>
internal sealed record SiloSettings(string DataDirectory, string Urls, bool Simulate, string? InstrumentsPath);
