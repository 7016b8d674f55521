using K2.Grains.Schedules;
using Microsoft.Extensions.Options;

namespace K2.Silo.Schedules;

/// <summary>
/// Starts both schedules once the silo is active: after the reminder service has started (and begun reading the
/// stored reminders), before the host's later services. A failure stops the silo's start: without a reminder the
/// schedule would never fire.
/// </summary>
internal sealed partial class ScheduleStarter(IGrainFactory grains, IOptions<SchedulesOptions> options, ILogger<ScheduleStarter> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Just after <see cref="ServiceLifecycleStage.Active"/>, where the reminder service starts.</summary>
    public const int Stage = ServiceLifecycleStage.Active + 1;

    public void Participate(ISiloLifecycle lifecycle) => lifecycle.Subscribe(nameof(ScheduleStarter), Stage, StartAsync);

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            LogDisabled(logger, SchedulesOptions.Section);
            return;
        }

        await grains.GetGrain<IOffloadGrain>(0).StartScheduleAsync().WaitAsync(cancellationToken);
        await grains.GetGrain<IMaintenanceGrain>(0).StartScheduleAsync().WaitAsync(cancellationToken);
    }

    [LoggerMessage(EventId = ScheduleEventIds.SchedulesDisabled, Level = LogLevel.Information,
        Message = "Schedules are off on this silo: {Section}:Enabled is false")]
    private static partial void LogDisabled(ILogger logger, string section);
}
