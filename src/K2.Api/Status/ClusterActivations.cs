using K2.Grains.Abstractions;

namespace K2.Api.Status;

/// <summary>
/// The grain activations across the cluster, each active silo asked on its own (within
/// <see cref="InstrumentStatuses.CallTimeout"/>), so a silo that died and is not yet declared dead leaves only its own
/// share unknown. The silos come from a silo's membership view in memory (<see cref="IClusterViewGrain"/>), so the
/// status answers while PostgreSQL is down.
/// </summary>
internal sealed class ClusterActivations(IGrainFactory grains, TimeProvider time)
{
    public async Task<ClusterActivationsView> ReadAsync(CancellationToken cancellationToken)
    {
        SiloAddress[] silos;
        try
        {
            silos = await grains.GetGrain<IClusterViewGrain>(0).GetActiveSilosAsync().WaitAsync(InstrumentStatuses.CallTimeout, time, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // A status never fails for the cluster's sake: whatever the call met, the activations are unknown for now.
            return new ClusterActivationsView(null, new HashSet<GrainId>(), [], $"the cluster did not answer ({e.GetType().Name})");
        }

        var management = grains.GetGrain<IManagementGrain>(0);
        var answers = await Task.WhenAll(silos.Select(async silo =>
        {
            try
            {
                return (silo, Activations: (DetailedGrainStatistic[]?)await management.GetDetailedGrainStatistics(null, [silo]).WaitAsync(InstrumentStatuses.CallTimeout, time, cancellationToken));
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                return (silo, Activations: null);
            }
        }));
        var unanswered = answers.Where(a => a.Activations is null).Select(a => a.silo.ToString()).ToList();
        var activations = answers.SelectMany(a => a.Activations ?? []).Select(a => a.GrainId).ToHashSet();
        var names = silos.Select(s => s.ToString()).ToList();
        return unanswered.Count == 0
            ? new ClusterActivationsView(activations.Count, activations, names, null)
            : new ClusterActivationsView(null, activations, names, $"silo(s) {string.Join(", ", unanswered)} did not answer");
    }
}

/// <summary>
/// The activations the silos reported: their count (null unless every active silo answered), the grains seen active,
/// the active silos asked, and, when some silo did not answer, which.
/// </summary>
internal sealed record ClusterActivationsView(int? Count, IReadOnlySet<GrainId> Active, IReadOnlyList<string> Silos, string? Unknown);
