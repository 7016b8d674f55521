using K2.Silo.Schedules;

namespace K2.Silo.Tests.Schedules;

/// <summary>One run of each schedule at a time: a scheduled run waits for an operator's, an operator's is refused while one goes.</summary>
public sealed class ScheduleRunGatesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_scheduled_run_waits_for_an_operators_run_and_an_operators_run_is_refused_while_one_goes()
    {
        var gates = new ScheduleRunGates();
        var operatorRun = gates.TryEnter(ScheduleNames.Offload);
        operatorRun.ShouldNotBeNull();

        var scheduled = gates.EnterAsync(ScheduleNames.Offload, Ct);
        scheduled.IsCompleted.ShouldBeFalse();
        gates.TryEnter(ScheduleNames.Offload).ShouldBeNull();
        using (var maintenance = gates.TryEnter(ScheduleNames.Maintenance))
        {
            maintenance.ShouldNotBeNull("the maintenance has a gate of its own");
        }

        operatorRun.Dispose();
        operatorRun.Dispose(); // leaving twice frees the gate once
        using var scheduledRun = await scheduled.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        gates.TryEnter(ScheduleNames.Offload).ShouldBeNull("the scheduled run holds the gate now");
    }
}
