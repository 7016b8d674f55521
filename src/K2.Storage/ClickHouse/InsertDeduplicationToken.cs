namespace K2.Storage.ClickHouse;

/// <summary>
/// Tokens for <see cref="IClickHouseClient.InsertAsync(string, string, ReadOnlyMemory{byte}, string?, CancellationToken)"/>:
/// one per batch, the same on every retry of that batch. ClickHouse then stores a batch once per table however often
/// it is sent, provided the table keeps a deduplication window (<c>non_replicated_deduplication_window</c> for a plain
/// MergeTree; a replicated table always does) and the token is still in it. The token decides alone: rows that differ
/// between attempts (K2 re-stamps <c>ingest_ts</c> on each) are still recognised as the same batch.
/// </summary>
public static class InsertDeduplicationToken
{
    /// <summary>The longest token accepted; a GUID in "N" form is 32 characters.</summary>
    public const int MaxLength = 128;

    /// <summary>A fresh token for a new batch.</summary>
    public static string New() => Guid.NewGuid().ToString("N");

    /// <summary>
    /// Letters, digits, <c>-</c> and <c>_</c>, 1 to <see cref="MaxLength"/> characters: a token then needs no escaping in
    /// a URL parameter or a SETTINGS clause.
    /// </summary>
    public static bool IsValid(string token) =>
        token.Length is > 0 and <= MaxLength && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    internal static void ThrowIfInvalid(string? token)
    {
        if (token is not null && !IsValid(token))
        {
            throw new ArgumentException(
                $"'{token}' is not a valid insert deduplication token (1 to {MaxLength} letters, digits, '-' or '_').", nameof(token));
        }
    }
}
