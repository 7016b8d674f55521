using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.RowBinary;

namespace K2.Storage.History;

/// <summary>Where a range's stored rows begin and end in each tier; a tier without any has null.</summary>
public readonly record struct TierBounds(HistoryBounds? Hot, HistoryBounds? Cold)
{
    /// <summary>Where the range's rows begin and end over both tiers; null when neither has any.</summary>
    public HistoryBounds? All => (Hot, Cold) switch
    {
        ({ } hot, { } cold) => new HistoryBounds(hot.First < cold.First ? hot.First : cold.First, hot.Last > cold.Last ? hot.Last : cold.Last),
        ({ } hot, null) => hot,
        (null, var cold) => cold,
    };

    /// <summary>Reads the rows of <see cref="TierUnion.Bounds"/>: per tier, its number, first and last time, and row count.</summary>
    internal static async Task<TierBounds> ReadAsync(IClickHouseClient client, string sql, ClickHouseParameters parameters, CancellationToken cancellationToken) =>
        await client.QueryAsync(sql, parameters, ClickHouseFormats.RowBinary, static data =>
        {
            var bounds = new TierBounds(null, null);
            var reader = new RowBinaryReader(data);
            while (!reader.End)
            {
                var (tier, first, last, rows) = (reader.ReadUInt8(), reader.ReadDateTime64Micros(), reader.ReadDateTime64Micros(), reader.ReadUInt64());
                HistoryBounds? found = rows == 0 ? null : new HistoryBounds(first, last);
                bounds = tier == TierUnion.HotTier ? bounds with { Hot = found } : bounds with { Cold = found };
            }

            return bounds;
        }, cancellationToken);
}
