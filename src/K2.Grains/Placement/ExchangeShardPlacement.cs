using K2.Grains.Hosting;
using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace K2.Grains.Placement;

/// <summary>Places an exchange grain on the silo <see cref="ShardAssignment"/> gives its shard among the active silos.</summary>
[GenerateSerializer, Immutable]
public sealed class ExchangeShardPlacement : PlacementStrategy;

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ExchangeShardPlacementAttribute() : PlacementAttribute(new ExchangeShardPlacement());

/// <summary>
/// Orleans asks this, on the calling silo, where a shard no silo holds should activate: the keeper's ping after a silo
/// died or a shard handed itself over. The answer is the shard's assigned silo among the compatible (active) ones, so
/// shards spread instead of landing where the first ping came from.
/// </summary>
internal sealed class ExchangeShardPlacementDirector(IngestSessions sessions) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        var byName = silos.ToDictionary(SiloName, StringComparer.Ordinal);
        var assignment = ShardAssignment.Assign(sessions.Shards.Select(s => s.Key), byName.Keys);
        return Task.FromResult(assignment.TryGetValue(target.GrainIdentity.Key.ToString()!, out var silo) ? byName[silo] : context.LocalSilo);
    }

    /// <summary>A silo's name for the assignment: its endpoint, the same across restarts.</summary>
    public static string SiloName(SiloAddress silo) => silo.Endpoint.ToString();
}
