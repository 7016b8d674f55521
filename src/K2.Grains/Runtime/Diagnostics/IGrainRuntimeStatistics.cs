namespace K2.Grains.Runtime;

/// <summary>What the grain runtime is doing right now, for the dashboard.</summary>
public interface IGrainRuntimeStatistics
{
    GrainRuntimeSnapshot GetSnapshot();
}
