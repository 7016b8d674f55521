using K2.Grains.Abstractions;
using K2.Grains.Configuration;
using K2.Grains.Placement;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace K2.Grains.Hosting;

/// <summary>
/// Keeps every configured exchange shard running. It starts them all when the host starts, then pings each one every
/// second: a ping to a shard no silo holds activates it (here or on another silo) and starts its session, so a shard
/// lost with its silo, or deactivated by the runtime, runs again within a second or two. At a stop it stops pinging
/// first, then stops the sessions of the shards running on this silo and waits for them, before the silo stops: the
/// instrument grains and then the writers can drain everything the sessions received. Registered after the silo.
/// In a cluster it also spreads the shards: each tick it computes where every shard belongs among the active silos
/// (<see cref="ShardAssignment"/>, as placement does) and hands over the shards running here that belong elsewhere.
/// </summary>
internal sealed partial class ExchangeShardKeeper(
    IGrainFactory grains, IngestSessions sessions, RunningShards running, IClusterMembershipService membership,
    IClusterManifestProvider manifests, ILocalSiloDetails local, TimeProvider time, ILogger<ExchangeShardKeeper> logger) : IHostedService, IDisposable
{
    public static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a shard runs here before the keeper may hand it over: right after a change the silos' views of the
    /// membership differ for a moment, and a shard must not bounce between them meanwhile.
    /// </summary>
    public static readonly TimeSpan MinimumStay = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stop = new();
    private Task _keeping = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // K2 ingests once it has started: the first round is awaited. A shard started now is no news, so not logged here.
        await Task.WhenAll(sessions.Shards.Select(shard => PingAsync(shard, firstRound: true)));
        var ticks = new PeriodicTimer(PingInterval, time);
        _keeping = KeepAsync(ticks, _stop.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        try
        {
            await _keeping.WaitAsync(cancellationToken);
            await Task.WhenAll(running.Keys.Select(key => grains.GetGrain<IExchangeGrain>(key).StopAsync(cancellationToken)));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host stops without waiting any longer (its shutdown timeout, or a kill): the silo's own stop ends the rest.
            LogStopCutShort(logger, running.Keys.Count);
        }
    }

    /// <summary>Ends the pings even if the host was torn down without stopping this service.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    /// <summary>
    /// One ping per shard in flight at most: a shard whose ping hangs (its silo just died, its grain is busy) is pinged
    /// again once that one returns, and holds up no other shard.
    /// </summary>
    private async Task KeepAsync(PeriodicTimer ticks, CancellationToken stop)
    {
        var pings = new Dictionary<string, Task>(StringComparer.Ordinal);
        var handovers = new Dictionary<string, Task>(StringComparer.Ordinal);
        using (ticks)
        {
            try
            {
                while (await ticks.WaitForNextTickAsync(stop))
                {
                    foreach (var shard in sessions.Shards)
                    {
                        if (!pings.TryGetValue(shard.Key, out var ping) || ping.IsCompleted)
                        {
                            pings[shard.Key] = PingAsync(shard, firstRound: false);
                        }
                    }

                    Rebalance(handovers, stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopping.
            }
        }

        // No session starts after this: the stop that follows finds every shard that will run.
        await Task.WhenAll(pings.Values.Concat(handovers.Values));
    }

    /// <summary>Hands over each shard running here that the assignment over the active silos puts elsewhere (one at a time per shard).</summary>
    private void Rebalance(Dictionary<string, Task> handovers, CancellationToken stop)
    {
        // The silos placement can choose: active, and with their grain manifest known here (a joining silo's arrives a
        // moment after its membership). Handing a shard to a silo placement cannot see yet would only bring it back here.
        var here = ExchangeShardPlacementDirector.SiloName(local.SiloAddress);
        var known = manifests.Current.Silos;
        var active = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && known.ContainsKey(m.SiloAddress))
            .Select(m => ExchangeShardPlacementDirector.SiloName(m.SiloAddress))
            .ToList();
        if (!active.Contains(here))
        {
            return; // joining or leaving: this silo has no say yet, or no more
        }

        var assignment = ShardAssignment.Assign(sessions.Shards.Select(s => s.Key), active);
        foreach (var key in running.Keys)
        {
            if (assignment.TryGetValue(key, out var owner) && owner != here && running.RunningFor(key) >= MinimumStay
                && (!handovers.TryGetValue(key, out var handover) || handover.IsCompleted))
            {
                handovers[key] = HandOverAsync(key, owner, active.Count, stop);
            }
        }
    }

    /// <summary>Never throws: a failed handover is logged, and the next tick tries again.</summary>
    private async Task HandOverAsync(string key, string owner, int silos, CancellationToken stop)
    {
        try
        {
            LogHandingOver(logger, key, owner, silos);
            await grains.GetGrain<IExchangeGrain>(key).HandOverAsync(owner, stop);
        }
        catch (Exception e)
        {
            LogHandOverFailed(logger, key, e.GetBaseException().Message);
        }
    }

    [LoggerMessage(EventId = GrainsEventIds.ExchangeShardHandingOver, Level = LogLevel.Information,
        Message = "Exchange shard {Shard} belongs on silo {Silo} among {Silos} active silos; handing it over")]
    private static partial void LogHandingOver(ILogger logger, string shard, string silo, int silos);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeShardHandOverFailed, Level = LogLevel.Warning,
        Message = "Exchange shard {Shard} could not be handed over ({Reason}); trying again in a second")]
    private static partial void LogHandOverFailed(ILogger logger, string shard, string reason);

    /// <summary>Never throws: a failed ping is logged, and the next tick tries again.</summary>
    private async Task PingAsync(ExchangeShard shard, bool firstRound)
    {
        try
        {
            switch (await grains.GetGrain<IExchangeGrain>(shard.Key).EnsureRunningAsync())
            {
                case ShardStart.Started when !firstRound:
                    LogNotRunning(logger, shard.Key);
                    break;
                case ShardStart.StartedAfterHandOver:
                    LogStartedAfterHandOver(logger, shard.Key);
                    break;
            }
        }
        catch (Exception e)
        {
            LogPingFailed(logger, shard.Key, e.GetBaseException().Message);
        }
    }

    [LoggerMessage(EventId = GrainsEventIds.ExchangeShardNotRunning, Level = LogLevel.Warning, Message = "Exchange shard {Shard} was not running; the keeper started it again")]
    private static partial void LogNotRunning(ILogger logger, string shard);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeShardStartedAfterHandOver, Level = LogLevel.Information,
        Message = "Exchange shard {Shard} runs again on its new silo after its handover")]
    private static partial void LogStartedAfterHandOver(ILogger logger, string shard);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeShardsStopCutShort, Level = LogLevel.Warning, Message = "The host stopped waiting for the exchange sessions; {Shards} shard(s) here had not stopped yet")]
    private static partial void LogStopCutShort(ILogger logger, int shards);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeShardPingFailed, Level = LogLevel.Warning, Message = "The keeper could not ping exchange shard {Shard} ({Reason}); trying again in a second")]
    private static partial void LogPingFailed(ILogger logger, string shard, string reason);
}
