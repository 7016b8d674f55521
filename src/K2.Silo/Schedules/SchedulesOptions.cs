namespace K2.Silo.Schedules;

/// <summary>
/// The durable schedules: where Quartz keeps them and when each fires. Bound from <c>K2:Schedules</c>. Every silo
/// sharing a store must agree on these settings: the last silo to start writes its cron expressions to the store.
/// </summary>
public sealed class SchedulesOptions
{
    public const string Section = "K2:Schedules";

    /// <summary>False keeps the scheduler off on this silo (it never touches the store), whatever runs are registered.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Which database keeps the schedules: SQLite embedded (one process), PostgreSQL shared by a cluster's silos.</summary>
    public ScheduleStore Store { get; set; } = ScheduleStore.Sqlite;

    /// <summary>The SQLite file for <see cref="ScheduleStore.Sqlite"/>; <c>k2 run</c> points it at <c>DATA/state/k2.db</c>.</summary>
    public string? SqlitePath { get; set; }

    /// <summary>The Npgsql connection string for <see cref="ScheduleStore.Postgres"/>.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>
    /// How late a fire time may be taken up and still run as itself. A fire time later than this (K2 was down) counts
    /// as missed, and all the missed fire times of a schedule run once, as soon as the scheduler is back. Must be
    /// shorter than the shortest gap between two fire times, or a restart would run each missed fire time in turn.
    /// </summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>PostgreSQL only: how often a silo records in the store that it is alive; a silo silent for longer than this plus
    /// <see cref="ClusterCheckinMisfireThreshold"/> is taken for dead, and a run it was in the middle of is run again.</summary>
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan ClusterCheckinMisfireThreshold { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The offload of the hot store to the cold tier: every 15 minutes.</summary>
    public ScheduleOptions Offload { get; set; } = new() { Cron = "0 0/15 * * * ?" };

    /// <summary>The cold tier's maintenance: daily at 02:00.</summary>
    public ScheduleOptions Maintenance { get; set; } = new() { Cron = "0 0 2 * * ?" };
}

/// <summary>When one schedule fires.</summary>
public sealed class ScheduleOptions
{
    /// <summary>A Quartz cron expression (seconds first, <c>?</c> for the unused day field), evaluated in UTC.</summary>
    public string Cron { get; set; } = "";
}

/// <summary>The databases Quartz's job store can keep K2's schedules in.</summary>
public enum ScheduleStore
{
    Sqlite,
    Postgres,
}
