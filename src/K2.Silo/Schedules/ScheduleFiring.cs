namespace K2.Silo.Schedules;

/// <summary>One run of a schedule, as the work it starts sees it.</summary>
/// <param name="ScheduledAt">
/// The due time this run stands for (UTC). For the catch-up after downtime it is the latest due time missed; the
/// earlier missed ones are folded into that run and never run on their own.
/// </param>
/// <param name="FiredAt">When the run actually started (UTC).</param>
/// <param name="CatchUp">True for the one run at start-up that makes up for a due time missed while K2 was down.</param>
public sealed record ScheduleFiring(DateTimeOffset ScheduledAt, DateTimeOffset FiredAt, bool CatchUp);
