namespace K2.Silo.Schedules;

/// <summary>One firing of a schedule, as the run it calls sees it.</summary>
/// <param name="ScheduledAt">
/// The fire time this firing stands for (UTC). For the one catch-up run after downtime it is the first fire time
/// missed; the later missed ones are folded into that run and never run on their own.
/// </param>
/// <param name="FiredAt">When it actually fired (UTC).</param>
/// <param name="Recovering">
/// True when this re-runs a firing that a silo crashed in the middle of, on whichever silo picked it up.
/// </param>
public sealed record ScheduleFiring(DateTimeOffset ScheduledAt, DateTimeOffset FiredAt, bool Recovering);
