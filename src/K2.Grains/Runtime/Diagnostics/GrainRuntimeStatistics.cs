namespace K2.Grains.Runtime;

internal sealed class GrainRuntimeStatistics(GrainCatalog catalog, TimeProvider timeProvider) : IGrainRuntimeStatistics
{
    public GrainRuntimeSnapshot GetSnapshot()
    {
        var utcNow = timeProvider.GetUtcNow();
        var nowTimestamp = timeProvider.GetTimestamp();
        var activations = catalog.ListActivations()
            .Select(activation => activation.GetSnapshot(utcNow, nowTimestamp))
            .OrderBy(activation => activation.GrainType, StringComparer.Ordinal)
            .ThenBy(activation => activation.Key, StringComparer.Ordinal)
            .ToList();
        var metrics = catalog.Metrics;
        return new GrainRuntimeSnapshot(utcNow, activations, metrics.TotalActivations, metrics.TotalMessages, metrics.TotalErrors);
    }
}
