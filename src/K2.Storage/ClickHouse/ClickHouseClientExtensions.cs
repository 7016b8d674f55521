namespace K2.Storage.ClickHouse;

/// <summary>Shorthands over <see cref="IClickHouseClient"/>.</summary>
public static class ClickHouseClientExtensions
{
    /// <summary>Inserts without a deduplication token: a repeat of this insert is stored again.</summary>
    public static Task<long> InsertAsync(
        this IClickHouseClient client, string insertStatement, string format, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        client.InsertAsync(insertStatement, format, data, deduplicationToken: null, cancellationToken);
}
