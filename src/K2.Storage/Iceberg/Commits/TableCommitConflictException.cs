namespace K2.Storage.Iceberg.Commits;

/// <summary>A change to a table's metadata kept losing to other writers, or no longer applies to what they committed; nothing of it became visible.</summary>
public sealed class TableCommitConflictException(string table, string reason)
    : Exception($"The change to {table} could not be committed: {reason}.")
{
    public string Table { get; } = table;
}
