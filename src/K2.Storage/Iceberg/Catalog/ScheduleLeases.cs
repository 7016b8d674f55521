using System.Data.Common;
using K2.Core;

namespace K2.Storage.Iceberg.Catalog;

/// <summary>
/// One lease per schedule in the state database (<c>schedule_leases</c>, created by <see cref="CatalogDatabase"/>), so
/// that of two runs of a schedule anywhere in the cluster only one works at a time. Each call is one atomic statement:
/// a holder gets the lease when it is free, expired or already its own; it keeps it by renewing before it expires, and
/// gives it back by releasing it. A holder names one run (never reused), so a run that lost its lease cannot get it
/// back by renewing after another run took and released it.
/// </summary>
/// <remarks>
/// Expiry is computed and compared in the clock of the silo making the call (<paramref name="time"/>), not the
/// database's: one SQL text then serves SQLite and PostgreSQL alike, and tests drive expiry with a manual clock. The
/// price is that silo clocks must agree: a silo whose clock runs ahead by more than a lease's remaining time sees it
/// expired early. With renewals every third of the time to live, that takes a skew of more than two thirds of it (40 s
/// with the default minute), far beyond what NTP-synchronised hosts drift; Orleans' own membership and reminders
/// already assume synchronised clocks.
/// </remarks>
public sealed class ScheduleLeases(DbDataSource dataSource, TimeProvider time)
{
    private volatile bool _tablesCreated;

    /// <summary>
    /// Takes the lease of <paramref name="schedule"/> for <paramref name="holder"/> until now + <paramref name="ttl"/>
    /// if nobody holds it, its holder's time ran out, or it is <paramref name="holder"/>'s already. True when
    /// <paramref name="holder"/> holds it now.
    /// </summary>
    public async Task<bool> TryAcquireAsync(string schedule, string holder, TimeSpan ttl, CancellationToken cancellationToken)
    {
        if (!_tablesCreated)
        {
            // Before the first run of a new state database the table may not exist yet (other paths create it too).
            await CatalogDatabase.CreateTablesAsync(dataSource, cancellationToken);
            _tablesCreated = true;
        }

        var now = time.GetUtcNow();
        return await SqlCommands.ExecuteAsync(dataSource,
            "INSERT INTO schedule_leases (schedule, holder, expires_at_us) VALUES (@s, @h, @expires) " +
            "ON CONFLICT (schedule) DO UPDATE SET holder = excluded.holder, expires_at_us = excluded.expires_at_us " +
            "WHERE schedule_leases.expires_at_us <= @now OR schedule_leases.holder = excluded.holder",
            cancellationToken, ("s", schedule), ("h", holder), ("expires", Micros(now + ttl)), ("now", Micros(now))) == 1;
    }

    /// <summary>
    /// Moves the end of <paramref name="holder"/>'s lease to now + <paramref name="ttl"/>. False when it is not
    /// <paramref name="holder"/>'s any more (another run took it, or it was released). A lease that ran out but that
    /// nobody took is still <paramref name="holder"/>'s: nobody else can have worked meanwhile.
    /// </summary>
    public async Task<bool> RenewAsync(string schedule, string holder, TimeSpan ttl, CancellationToken cancellationToken) =>
        await SqlCommands.ExecuteAsync(dataSource,
            "UPDATE schedule_leases SET expires_at_us = @expires WHERE schedule = @s AND holder = @h",
            cancellationToken, ("expires", Micros(time.GetUtcNow() + ttl)), ("s", schedule), ("h", holder)) == 1;

    /// <summary>Gives the lease back if <paramref name="holder"/> holds it; false when it did not (nothing changes then).</summary>
    public async Task<bool> ReleaseAsync(string schedule, string holder, CancellationToken cancellationToken) =>
        await SqlCommands.ExecuteAsync(dataSource,
            "DELETE FROM schedule_leases WHERE schedule = @s AND holder = @h",
            cancellationToken, ("s", schedule), ("h", holder)) == 1;

    /// <summary>The lease of <paramref name="schedule"/> as stored (held or run out), or null when none is.</summary>
    public async Task<ScheduleLease?> ReadAsync(string schedule, CancellationToken cancellationToken)
    {
        var rows = await SqlCommands.QueryAsync(dataSource,
            "SELECT holder, expires_at_us FROM schedule_leases WHERE schedule = @s",
            r => new ScheduleLease(schedule, r.GetString(0), new UnixMicros(r.GetInt64(1))), cancellationToken, ("s", schedule));
        return rows.Count == 0 ? null : rows[0];
    }

    private static long Micros(DateTimeOffset instant) => UnixMicros.FromDateTimeOffset(instant).Value;
}
