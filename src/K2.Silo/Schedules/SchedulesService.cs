using Microsoft.Extensions.Options;
using Quartz;

namespace K2.Silo.Schedules;

/// <summary>
/// Starts the Quartz scheduler with the silo and stops it with the silo, after making the stored schedules match
/// configuration. A stored schedule that already matches is left exactly as it is: replacing it would forget the fire
/// times missed while K2 was down, and with them the catch-up run. A schedule whose run is not registered is removed
/// from the store, and with no run registered at all the scheduler is not started.
/// </summary>
internal sealed partial class SchedulesService(IServiceProvider services, IOptions<SchedulesOptions> options, ILogger<SchedulesService> logger)
    : IHostedService
{
    private IScheduler? _scheduler;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var schedules = Definitions(settings);
        var isService = services.GetRequiredService<IServiceProviderIsService>();
        if (!settings.Enabled || !schedules.Any(s => isService.IsService(s.RunType)))
        {
            LogDisabled(logger, settings.Enabled ? "no IOffloadRun or IMaintenanceRun is registered" : $"{SchedulesOptions.Section}:Enabled is false");
            return;
        }

        if (settings.Store == ScheduleStore.Sqlite && Path.GetDirectoryName(Path.GetFullPath(settings.SqlitePath!)) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }

        var scheduler = await services.GetRequiredService<ISchedulerFactory>().GetScheduler(cancellationToken);
        _scheduler = scheduler;
        foreach (var schedule in schedules)
        {
            if (isService.IsService(schedule.RunType))
            {
                await StoreAsync(scheduler, schedule, cancellationToken);
            }
            else if (await scheduler.DeleteJob(schedule.JobKey, cancellationToken))
            {
                LogRemoved(logger, schedule.Name, schedule.RunType.Name);
            }
        }

        await scheduler.Start(cancellationToken);
        LogStarted(logger, scheduler.SchedulerInstanceId, settings.Store);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_scheduler is { } scheduler)
        {
            // Running jobs are asked to stop (their token is cancelled) and waited for, up to the host's shutdown timeout.
            await scheduler.Shutdown(waitForJobsToComplete: true, cancellationToken);
            LogStopped(logger, scheduler.SchedulerInstanceId);
        }
    }

    private async Task StoreAsync(IScheduler scheduler, Schedule schedule, CancellationToken cancellationToken)
    {
        var trigger = (ICronTrigger)TriggerBuilder.Create()
            .WithIdentity(schedule.TriggerKey)
            .ForJob(schedule.JobKey)
            .WithSchedule(CronScheduleBuilder.Create(schedule.Cron)
                .InTimeZone(TimeZoneInfo.Utc)
                .WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
            .Build();
        var stored = await scheduler.GetTrigger(schedule.TriggerKey, cancellationToken);
        if (await IsAsConfiguredAsync(scheduler, schedule, stored, trigger, cancellationToken))
        {
            LogKept(logger, schedule.Name, schedule.Cron, stored!.NextFireTimeUtc);
            return;
        }

        var job = JobBuilder.Create()
            .OfType(schedule.JobType)
            .WithIdentity(schedule.JobKey)
            .DisallowConcurrentExecution()
            // A silo that dies in the middle of a run has it run again by the next silo to notice (or by itself, on restart).
            .RequestRecovery()
            .Build();
        try
        {
            // Only a stored schedule that differs from configuration is replaced. A new one is only inserted: silos
            // starting together would otherwise replace each other's, and a replaced trigger fires its first time again.
            await scheduler.ScheduleJob(job, [trigger], stored is null ? default : ScheduleJobOptions.Replacing, cancellationToken);
        }
        catch (SchedulerException) when (stored is null)
        {
            // Another silo may have stored the same schedule first; anything else is a real failure.
            var concurrent = await scheduler.GetTrigger(schedule.TriggerKey, cancellationToken);
            if (!await IsAsConfiguredAsync(scheduler, schedule, concurrent, trigger, cancellationToken))
            {
                throw;
            }

            LogKept(logger, schedule.Name, schedule.Cron, concurrent!.NextFireTimeUtc);
            return;
        }

        LogStored(logger, schedule.Name, schedule.Cron, trigger.GetFireTimeAfter(DateTimeOffset.UtcNow));
    }

    /// <summary>Whether <paramref name="stored"/> fires <paramref name="schedule"/>'s job exactly as <paramref name="configured"/> would.</summary>
    private static async Task<bool> IsAsConfiguredAsync(
        IScheduler scheduler, Schedule schedule, ITrigger? stored, ICronTrigger configured, CancellationToken cancellationToken) =>
        stored is ICronTrigger cron
        && cron.CronExpressionString == configured.CronExpressionString
        && cron.TimeZone.Id == TimeZoneInfo.Utc.Id
        && cron.MisfireInstruction == CronTriggerMisfireInstruction.FireAndProceed
        && await scheduler.GetJobDetail(schedule.JobKey, cancellationToken) is { } job
        && job.JobType.Type == schedule.JobType;

    private static Schedule[] Definitions(SchedulesOptions settings) =>
    [
        new(ScheduleNames.Offload, typeof(OffloadJob), typeof(IOffloadRun), settings.Offload.Cron),
        new(ScheduleNames.Maintenance, typeof(MaintenanceJob), typeof(IMaintenanceRun), settings.Maintenance.Cron),
    ];

    /// <summary>One schedule: the job that fires its run, and the cron expression (UTC) it fires on.</summary>
    private sealed record Schedule(string Name, Type JobType, Type RunType, string Cron)
    {
        public JobKey JobKey { get; } = new(Name, ScheduleNames.Group);
        public TriggerKey TriggerKey { get; } = new(Name, ScheduleNames.Group);
    }

    [LoggerMessage(EventId = ScheduleEventIds.SchedulesDisabled, Level = LogLevel.Information,
        Message = "Schedules are off on this silo: {Reason}")]
    private static partial void LogDisabled(ILogger logger, string reason);

    [LoggerMessage(EventId = ScheduleEventIds.ScheduleKept, Level = LogLevel.Information,
        Message = "Schedule {Schedule} ({Cron} UTC) is stored as configured; next fire time {NextFireTime:O}")]
    private static partial void LogKept(ILogger logger, string schedule, string cron, DateTimeOffset? nextFireTime);

    [LoggerMessage(EventId = ScheduleEventIds.ScheduleStored, Level = LogLevel.Information,
        Message = "Schedule {Schedule} stored as {Cron} UTC; next fire time {NextFireTime:O}")]
    private static partial void LogStored(ILogger logger, string schedule, string cron, DateTimeOffset? nextFireTime);

    [LoggerMessage(EventId = ScheduleEventIds.ScheduleRemoved, Level = LogLevel.Information,
        Message = "Schedule {Schedule} removed from the store: no {RunType} is registered")]
    private static partial void LogRemoved(ILogger logger, string schedule, string runType);

    [LoggerMessage(EventId = ScheduleEventIds.SchedulerStarted, Level = LogLevel.Information,
        Message = "Scheduler started as node {InstanceId} on the {Store} store")]
    private static partial void LogStarted(ILogger logger, string instanceId, ScheduleStore store);

    [LoggerMessage(EventId = ScheduleEventIds.SchedulerStopped, Level = LogLevel.Information,
        Message = "Scheduler node {InstanceId} stopped")]
    private static partial void LogStopped(ILogger logger, string instanceId);
}
