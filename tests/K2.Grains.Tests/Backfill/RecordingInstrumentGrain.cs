using System.Collections.Concurrent;
using K2.Core;
using K2.Core.Trades;
using K2.Grains.Abstractions;
using K2.Grains.Backfill;

namespace K2.Grains.Tests.Backfill;

/// <summary>What the instrument grains were told, in the order each grain handled it; and what they answer.</summary>
public sealed class BackfillProbe
{
    public ConcurrentQueue<string> Events { get; } = new();

    public ConcurrentQueue<(BackfillRequest Request, bool Succeeded)> Done { get; } = new();

    /// <summary>The answer to <see cref="IInstrumentGrain.GetStillMissingAsync"/>; by default, all of it.</summary>
    public Func<BackfillRequest, BackfillRequest?> StillMissing { get; set; } = request => request;

    public static string Range(BackfillRequest request) => $"{request.FromId}..{request.ToId}";
}

/// <summary>An instrument grain that records what it is told instead of tracking trades.</summary>
public sealed class RecordingInstrumentGrain(BackfillProbe probe) : Grain, IInstrumentGrain
{
    public Task<int> OnTradesAsync([Immutable] IReadOnlyList<Trade> trades, CancellationToken cancellationToken)
    {
        probe.Events.Enqueue($"trades {string.Join(",", trades.Select(t => t.TradeId))}");
        return Task.FromResult(trades.Count);
    }

    public Task OnPossibleLossAsync(string reason, CancellationToken cancellationToken)
    {
        probe.Events.Enqueue($"possible loss {reason}");
        return Task.CompletedTask;
    }

    public Task OnBackfillDoneAsync(BackfillRequest request, bool succeeded, CancellationToken cancellationToken)
    {
        probe.Events.Enqueue($"done {BackfillProbe.Range(request)} {(succeeded ? "answered" : "unanswered")}");
        probe.Done.Enqueue((request, succeeded));
        return Task.CompletedTask;
    }

    public Task OnTradesStoredElsewhereAsync(UnixMicros from, UnixMicros to, CancellationToken cancellationToken)
    {
        probe.Events.Enqueue($"stored elsewhere {from}..{to}");
        return Task.CompletedTask;
    }

    public Task<BackfillRequest?> GetStillMissingAsync(BackfillRequest request)
    {
        probe.Events.Enqueue($"asked {BackfillProbe.Range(request)}");
        return Task.FromResult(probe.StillMissing(request));
    }

    public Task<InstrumentStatus> GetStatusAsync() => Task.FromResult(new InstrumentStatus(this.GetPrimaryKeyString(), null, null, 0, 0, null));
}
