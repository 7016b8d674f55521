namespace K2.Storage.Iceberg.Maintenance;

/// <summary>How one task went for one table: <see cref="Outcome"/> is "ok", "mismatch" (audit) or "failed"; <see cref="Detail"/> says what it did or why it failed.</summary>
public sealed record MaintenanceOutcome(string Table, MaintenanceTask Task, string Outcome, string Detail)
{
    public bool Succeeded => Outcome == ColdTableMaintenance.Ok;
}
