using K2.Grains.Schedules;
using Microsoft.Extensions.Options;

namespace K2.Silo.Schedules;

/// <summary>Starts the offload at each due time of <c>K2:Schedules:Offload</c> (every 15 minutes by default), or when asked.</summary>
[KeepAlive]
internal sealed class OffloadGrain(
    IOffloadRun run, IReminderTable reminders, IOptions<SchedulesOptions> options, ScheduleRunner runner, TimeProvider time, ILogger<OffloadGrain> logger)
    : ScheduleGrain(ScheduleNames.Offload, options.Value.Offload, run, reminders, options, runner, time, logger), IOffloadGrain
{
    public Task<OffloadReport?> RunNowAsync() => RunAskedForAsync(run.RunNowAsync);
}
