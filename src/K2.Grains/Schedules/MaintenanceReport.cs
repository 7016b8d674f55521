namespace K2.Grains.Schedules;

/// <summary>What an asked-for maintenance did: one entry per table and task (compact, expire, orphans, audit).</summary>
[GenerateSerializer, Immutable]
public sealed record MaintenanceReport(DateTimeOffset StartedAt, double DurationSeconds, bool Succeeded, IReadOnlyList<MaintenanceTaskReport> Tasks);

/// <summary>One task on one table: <see cref="Outcome"/> is ok, mismatch (audit) or failed; <see cref="Detail"/> says what it did.</summary>
[GenerateSerializer, Immutable]
public sealed record MaintenanceTaskReport(string Table, string Task, string Outcome, string Detail);
