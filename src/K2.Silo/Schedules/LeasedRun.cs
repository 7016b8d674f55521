using K2.Storage.Iceberg.Catalog;
using Microsoft.Extensions.Options;

namespace K2.Silo.Schedules;

/// <summary>
/// Runs a schedule's work only while this run holds the schedule's lease in the state database, so two runs of one
/// schedule never work at once anywhere in the cluster (the schedule grain can be active on two silos for a moment
/// while the membership changes). Another holder having it skips the run. While the work goes the lease is renewed
/// every third of <see cref="SchedulesOptions.LeaseTtl"/>; when a renewal finds it taken, or renewals fail until it
/// would run out, the work is cancelled and the run throws <see cref="ScheduleLeaseLostException"/>. The lease is
/// released at the end, whatever the outcome.
/// </summary>
internal sealed partial class LeasedRun(ScheduleLeases leases, IOptions<SchedulesOptions> options, TimeProvider time, ILogger<LeasedRun> logger)
{
    /// <summary>Names this process in the holders it makes: the host (the pod in Kubernetes) and the process id.</summary>
    private static readonly string Process = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>
    /// Does <paramref name="work"/> under the lease of <paramref name="schedule"/>; false (and the default result)
    /// when another run holds it, logged.
    /// </summary>
    public async Task<(bool Ran, T? Result)> RunAsync<T>(string schedule, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var ttl = options.Value.LeaseTtl;
        var holder = $"{Process}/{Guid.NewGuid():N}";
        if (!await leases.TryAcquireAsync(schedule, holder, ttl, cancellationToken))
        {
            var held = await leases.ReadAsync(schedule, cancellationToken);
            LogHeld(logger, schedule, held?.Holder ?? "(released meanwhile)", held?.ExpiresAt.ToDateTimeOffset() ?? time.GetUtcNow());
            return (false, default);
        }

        using var lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopRenewing = new CancellationTokenSource();
        var lease = new HeldLease(schedule, holder, ttl, time.GetUtcNow() + ttl);
        var renewing = KeepRenewingAsync(lease, lost, stopRenewing.Token);
        try
        {
            return (true, await work(lost.Token));
        }
        catch (OperationCanceledException) when (lease.LostBecause is { } reason && !cancellationToken.IsCancellationRequested)
        {
            throw new ScheduleLeaseLostException($"Schedule {schedule} lost its run's lease ({reason}); the work was stopped.");
        }
        finally
        {
            await stopRenewing.CancelAsync();
            await renewing;
            await ReleaseAsync(schedule, holder);
        }
    }

    private async Task KeepRenewingAsync(HeldLease lease, CancellationTokenSource lost, CancellationToken stop)
    {
        var interval = lease.Ttl / 3;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, stop);
                var renewedAt = time.GetUtcNow();
                if (!await leases.RenewAsync(lease.Schedule, lease.Holder, lease.Ttl, stop))
                {
                    await LoseAsync(lease, lost, "another run holds it now");
                    return;
                }

                lease.ExpiresAt = renewedAt + lease.Ttl;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // A failed renewal is retried at the next interval while the lease still lasts past it; past that point,
                // another run may take it before a retry could succeed.
                if (time.GetUtcNow() + interval >= lease.ExpiresAt)
                {
                    await LoseAsync(lease, lost, $"renewing failed until it would run out: {exception.Message}");
                    return;
                }

                LogRenewalFailed(logger, exception, lease.Schedule, lease.ExpiresAt);
            }
        }
    }

    private async Task LoseAsync(HeldLease lease, CancellationTokenSource lost, string reason)
    {
        lease.LostBecause = reason;
        LogLost(logger, lease.Schedule, lease.Holder, reason);
        await lost.CancelAsync();
    }

    /// <summary>Never throws: a lease left behind runs out by itself after its time to live.</summary>
    private async Task ReleaseAsync(string schedule, string holder)
    {
        try
        {
            await leases.ReleaseAsync(schedule, holder, CancellationToken.None);
        }
        catch (Exception exception)
        {
            LogReleaseFailed(logger, exception, schedule, options.Value.LeaseTtl);
        }
    }

    /// <summary>The lease a run holds: until when, and why it was lost (null while held). Written by the renewal loop only.</summary>
    private sealed class HeldLease(string schedule, string holder, TimeSpan ttl, DateTimeOffset expiresAt)
    {
        public string Schedule { get; } = schedule;
        public string Holder { get; } = holder;
        public TimeSpan Ttl { get; } = ttl;
        public DateTimeOffset ExpiresAt { get; set; } = expiresAt;
        public string? LostBecause { get; set; }
    }

    [LoggerMessage(EventId = ScheduleEventIds.RunSkippedLeaseHeld, Level = LogLevel.Warning,
        Message = "Schedule {Schedule} skips a run: {Holder} holds its lease until {ExpiresAt:O}")]
    private static partial void LogHeld(ILogger logger, string schedule, string holder, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = ScheduleEventIds.LeaseRenewalFailed, Level = LogLevel.Warning,
        Message = "Schedule {Schedule} could not renew its run's lease (it lasts until {ExpiresAt:O}); retrying")]
    private static partial void LogRenewalFailed(ILogger logger, Exception exception, string schedule, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = ScheduleEventIds.LeaseLost, Level = LogLevel.Error,
        Message = "Schedule {Schedule} lost its run's lease (holder {Holder}): {Reason}; stopping the run")]
    private static partial void LogLost(ILogger logger, string schedule, string holder, string reason);

    [LoggerMessage(EventId = ScheduleEventIds.LeaseReleaseFailed, Level = LogLevel.Warning,
        Message = "Schedule {Schedule} could not release its run's lease; it runs out within {Ttl}")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string schedule, TimeSpan ttl);
}
