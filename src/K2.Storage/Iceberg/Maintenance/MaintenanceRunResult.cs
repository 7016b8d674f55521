namespace K2.Storage.Iceberg.Maintenance;

/// <summary>One maintenance run: an outcome per table and task. The run failed if any task failed or any audit found a mismatch.</summary>
public sealed record MaintenanceRunResult(IReadOnlyList<MaintenanceOutcome> Outcomes)
{
    public bool Succeeded => Outcomes.All(o => o.Succeeded);
}
