namespace K2.Silo.Admin;

/// <summary>What <c>POST /v1/admin/maintenance</c> did: one entry per table and task (compact, expire, orphans, audit).</summary>
internal sealed record MaintenanceReport(DateTimeOffset StartedAt, double DurationSeconds, bool Succeeded, IReadOnlyList<MaintenanceTaskReport> Tasks);

/// <summary>One task on one table: <see cref="Outcome"/> is ok, mismatch (audit) or failed; <see cref="Detail"/> says what it did.</summary>
internal sealed record MaintenanceTaskReport(string Table, string Task, string Outcome, string Detail);
