namespace K2.Storage.Iceberg.Maintenance;

/// <summary>A maintenance commit kept losing to other writers of the table (or found a metadata file in its way); nothing of it became visible.</summary>
public sealed class MaintenanceConflictException(string table, string reason)
    : Exception($"Maintenance of {table} could not commit: {reason}.")
{
    public string Table { get; } = table;
}
