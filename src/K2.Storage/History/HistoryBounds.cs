using K2.Core;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.RowBinary;

namespace K2.Storage.History;

/// <summary>Where a range's stored rows begin and end (inclusive), in exchange time or bucket start; null when it has none.</summary>
public readonly record struct HistoryBounds(UnixMicros First, UnixMicros Last)
{
    internal static async Task<HistoryBounds?> ReadAsync(IClickHouseClient client, string sql, ClickHouseParameters parameters, CancellationToken cancellationToken) =>
        await client.QueryAsync(sql, parameters, ClickHouseFormats.RowBinary, static data =>
        {
            var reader = new RowBinaryReader(data);
            var (first, last, tiers) = (reader.ReadDateTime64Micros(), reader.ReadDateTime64Micros(), reader.ReadUInt64());
            return tiers == 0 ? (HistoryBounds?)null : new HistoryBounds(first, last);
        }, cancellationToken);
}
