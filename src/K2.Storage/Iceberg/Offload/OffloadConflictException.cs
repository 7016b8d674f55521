namespace K2.Storage.Iceberg.Offload;

/// <summary>Another offload of the same table committed first; nothing of this one became visible, and it can run again.</summary>
public sealed class OffloadConflictException(string table, string reason)
    : Exception($"Offload of {table} lost to a concurrent offload: {reason}.")
{
    public string Table { get; } = table;
}
