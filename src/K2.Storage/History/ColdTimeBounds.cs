using System.Collections.Concurrent;
using K2.Core;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.RowBinary;
using K2.Storage.Iceberg.Metadata;
using Microsoft.Extensions.Logging;

namespace K2.Storage.History;

/// <summary>
/// Where each instrument's rows lie in a cold table, by time (exchange time for trades, bucket start for candles), as
/// of one snapshot: what lets a history read leave the cold tier out when it provably adds nothing. The bounds come
/// from one aggregate over the table, run again when the catalog's metadata file changes (an offload or maintenance
/// commit, every 15 minutes). Data files hold many instruments each, so the manifests' per-file bounds would not tell
/// instruments apart. One aggregate runs at a time, in the background: until it has answered for the snapshot a read
/// is pinned to, that read takes both tiers, as it would without bounds. A failed aggregate is not tried again
/// for <see cref="RetryAfter"/>.
/// </summary>
public sealed partial class ColdTimeBounds(IClickHouseClient client, ColdTableSource cold, TimeProvider time, ILogger<ColdTimeBounds> logger)
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, Snapshot> _known = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private Task _refresh = Task.CompletedTask;
    private DateTimeOffset _failedAt = DateTimeOffset.MinValue;

    /// <summary>
    /// Whether the bounds of <paramref name="exchange"/>/<paramref name="symbol"/> in <paramref name="table"/> are known
    /// for the snapshot <paramref name="read"/> is pinned to; if so, <paramref name="bounds"/> is where its rows begin
    /// and end (inclusive) or null when it has none there. If not, an aggregate is started unless one runs already.
    /// The time column (<paramref name="timeColumn"/>) is part of what is known.
    /// </summary>
    public bool TryGet(ColdTable table, string timeColumn, ColdTableRead read, Exchange exchange, string symbol, out HistoryBounds? bounds)
    {
        if (_known.TryGetValue(table.Name, out var snapshot) && snapshot.MetadataLocation == read.MetadataLocation && snapshot.TimeColumn == timeColumn)
        {
            bounds = snapshot.Instruments.TryGetValue((exchange.ToName(), symbol), out var found) ? found : null;
            return true;
        }

        StartRefresh(table, timeColumn);
        bounds = null;
        return false;
    }

    /// <summary>Waits for the aggregate running now, if any (it never throws): for tests and a warm-up.</summary>
    public Task RefreshedAsync()
    {
        lock (_gate)
        {
            return _refresh;
        }
    }

    private void StartRefresh(ColdTable table, string timeColumn)
    {
        lock (_gate)
        {
            if (!_refresh.IsCompleted || time.GetUtcNow() - _failedAt < RetryAfter)
            {
                return;
            }

            _refresh = Task.Run(() => RefreshAsync(table, timeColumn));
        }
    }

    private async Task RefreshAsync(ColdTable table, string timeColumn)
    {
        try
        {
            // The snapshot is the one the aggregate reads, which may be newer than the read that asked for it.
            var parameters = new ClickHouseParameters();
            if (await cold.ReadAsync(table, parameters, CancellationToken.None) is not { } read)
            {
                return;
            }

            if (_known.TryGetValue(table.Name, out var known) && known.MetadataLocation == read.MetadataLocation && known.TimeColumn == timeColumn)
            {
                return; // asked by a read pinned to an older snapshot: the current one is known already
            }

            var sql = $"SELECT exchange, symbol, min({timeColumn}), max({timeColumn}) FROM {read.Function} GROUP BY exchange, symbol";
            var instruments = await client.QueryAsync(sql, parameters, ClickHouseFormats.RowBinary, static data =>
            {
                var found = new Dictionary<(string, string), HistoryBounds>();
                var reader = new RowBinaryReader(data);
                while (!reader.End)
                {
                    found[(reader.ReadString(), reader.ReadString())] = new HistoryBounds(reader.ReadDateTime64Micros(), reader.ReadDateTime64Micros());
                }

                return found;
            }, CancellationToken.None);
            _known[table.Name] = new Snapshot(read.MetadataLocation, timeColumn, instruments);
            LogRefreshed(logger, table.Name, read.MetadataLocation, instruments.Count);
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                _failedAt = time.GetUtcNow();
            }

            LogRefreshFailed(logger, e, table.Name);
        }
    }

    private sealed record Snapshot(string MetadataLocation, string TimeColumn, IReadOnlyDictionary<(string Exchange, string Symbol), HistoryBounds> Instruments);

    [LoggerMessage(EventId = StorageEventIds.ColdBoundsRefreshed, Level = LogLevel.Debug,
        Message = "Instrument time bounds of {Table} read for {MetadataLocation}: {Instruments} instruments")]
    private static partial void LogRefreshed(ILogger logger, string table, string metadataLocation, int instruments);

    [LoggerMessage(EventId = StorageEventIds.ColdBoundsFailed, Level = LogLevel.Warning,
        Message = "Instrument time bounds of {Table} could not be read; reads take both tiers meanwhile")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception, string table);
}
