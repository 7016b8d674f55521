namespace K2.Grains.Runtime;

internal enum ActivationState
{
    /// <summary>Takes messages (including while the grain is still being activated).</summary>
    Active,

    /// <summary>Takes no more messages; runs what it must, then its final turn, and leaves the catalog.</summary>
    Deactivating,
}
