namespace K2.Grains.Runtime;

/// <param name="TakenAt">When the snapshot was taken.</param>
/// <param name="Activations">Live activations (including ones running their final turn), by grain type and key.</param>
/// <param name="TotalActivations">Activations that completed OnActivateAsync since the runtime started.</param>
/// <param name="TotalMessages">Grain calls processed since the runtime started, failed ones included.</param>
/// <param name="TotalErrors">Failed grain calls, timer callbacks, activations and deactivations since the runtime started.</param>
public sealed record GrainRuntimeSnapshot(
    DateTimeOffset TakenAt,
    IReadOnlyList<GrainActivationSnapshot> Activations,
    long TotalActivations,
    long TotalMessages,
    long TotalErrors);
