using K2.Core;
using K2.Grains.Abstractions;
using K2.Grains.Configuration;

namespace K2.Api.Status;

/// <summary>
/// Each configured instrument with the session of the shard that owns it and the newest trade its grain passed on.
/// Only instrument grains already active are asked (one interleaving call each, all at once): activating one resumes
/// from the hot store, which a status poll must never cause. An instrument with no activation is reported inactive.
/// </summary>
internal sealed class InstrumentStatuses(IGrainFactory grains, TimeProvider time)
{
    /// <summary>A grain that takes longer is still activating (resuming from the store) or stuck; the status does not wait for it.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(1);

    public async Task<IReadOnlyList<InstrumentStatusRow>> ReadAsync(
        IReadOnlyList<(ExchangeShard Shard, ExchangeSessionStatus Session)> shards, ClusterActivationsView activations, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await Task.WhenAll(shards.SelectMany(s => s.Shard.Instruments.Select(async instrument =>
        {
            var grain = grains.GetGrain<IInstrumentGrain>(instrument.Key);
            var active = activations.Active.Contains(grain.GetGrainId());
            // One not seen active may be active on a silo that did not answer: the row says so.
            var row = new InstrumentStatusRow(
                instrument.Key, s.Shard.Exchange.ToName(), instrument.Symbol, s.Shard.Key, s.Session.State, s.Session.Connected,
                active, null, null, null, 0, 0, active ? null : activations.Unknown);
            if (!row.Active)
            {
                return row;
            }

            try
            {
                var status = await grain.GetStatusAsync().WaitAsync(CallTimeout, time, cancellationToken);
                return row with
                {
                    HighestTradeId = status.HighestTradeId,
                    LastTradeAt = status.NewestTradeAt,
                    LastTradeAgeSeconds = status.NewestTradeAt is { } at ? Math.Round((now - at).TotalSeconds, 3) : null,
                    OpenGaps = status.OpenGaps,
                    MissingTrades = status.MissingTrades,
                };
            }
            catch (TimeoutException)
            {
                return row with { Unavailable = $"no answer within {CallTimeout.TotalSeconds:0} s (activating?)" };
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                return row with { Unavailable = $"its silo did not answer ({e.GetType().Name})" };
            }
        })));
    }
}

/// <summary>
/// One instrument (<c>binance/BTC-USDT</c>) for the status: its shard's session, whether its grain is active, the newest
/// trade it passed on (exchange time, and how long ago that was) and its open gaps.
/// </summary>
internal sealed record InstrumentStatusRow(
    string Instrument,
    string Exchange,
    string Symbol,
    string Shard,
    string? SessionState,
    bool Connected,
    bool Active,
    string? HighestTradeId,
    DateTimeOffset? LastTradeAt,
    double? LastTradeAgeSeconds,
    int OpenGaps,
    long MissingTrades,
    string? Unavailable);
