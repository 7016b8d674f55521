using K2.Silo.Schedules;

namespace K2.Silo.Tests.Schedules;

/// <summary>Where the default schedules put their due times, and how a reminder's times map onto them.</summary>
public sealed class ScheduleCadenceTests
{
    private static readonly ScheduleCadence Offload = ScheduleCadence.Of(new SchedulesOptions().Offload);
    private static readonly ScheduleCadence Maintenance = ScheduleCadence.Of(new SchedulesOptions().Maintenance);

    private static DateTimeOffset At(string utc) => DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("2026-11-22T10:07:31Z", "2026-11-22T10:00:00Z", "2026-11-22T10:15:00Z")]
    [InlineData("2026-11-22T10:15:00Z", "2026-11-22T10:15:00Z", "2026-11-22T10:30:00Z")]
    [InlineData("2026-11-22T10:44:59.999Z", "2026-11-22T10:30:00Z", "2026-11-22T10:45:00Z")]
    [InlineData("2026-11-22T23:59:00Z", "2026-11-22T23:45:00Z", "2026-11-23T00:00:00Z")]
    public void The_offload_is_due_on_the_quarter_hours(string now, string latest, string next)
    {
        Offload.Latest(At(now)).ShouldBe(At(latest));
        Offload.Next(At(now)).ShouldBe(At(next));
    }

    [Theory]
    [InlineData("2026-11-22T01:59:59Z", "2026-11-21T02:00:00Z", "2026-11-22T02:00:00Z")]
    [InlineData("2026-11-22T02:00:00Z", "2026-11-22T02:00:00Z", "2026-11-23T02:00:00Z")]
    [InlineData("2026-11-22T14:00:00Z", "2026-11-22T02:00:00Z", "2026-11-23T02:00:00Z")]
    public void The_maintenance_is_due_daily_at_two_utc(string now, string latest, string next)
    {
        Maintenance.Latest(At(now)).ShouldBe(At(latest));
        Maintenance.Next(At(now)).ShouldBe(At(next));
    }

    [Fact]
    public void A_tick_stands_for_its_due_time_whether_a_little_late_or_a_little_early()
    {
        Offload.DueTimeOfTick(At("2026-11-22T10:15:00.004Z")).ShouldBe(At("2026-11-22T10:15:00Z"));
        Offload.DueTimeOfTick(At("2026-11-22T10:14:59.999Z")).ShouldBe(At("2026-11-22T10:15:00Z"));
        Offload.DueTimeOfTick(At("2026-11-22T10:20:00Z")).ShouldBe(At("2026-11-22T10:15:00Z"));
    }

    [Fact]
    public void A_reminder_start_on_a_due_time_give_or_take_the_tolerance_keeps_the_schedule()
    {
        Offload.Tolerance.ShouldBe(TimeSpan.FromSeconds(1));
        new ScheduleCadence(TimeSpan.FromSeconds(5), TimeSpan.Zero).Tolerance.ShouldBe(TimeSpan.FromMilliseconds(500));
        Offload.IsDueTime(At("2026-11-22T10:15:00.012Z")).ShouldBeTrue();
        Offload.IsDueTime(At("2026-11-22T10:14:59.5Z")).ShouldBeTrue();
        Offload.IsDueTime(At("2026-11-22T10:15:01.5Z")).ShouldBeFalse();
        Maintenance.IsDueTime(At("2026-11-22T01:00:00Z")).ShouldBeFalse();
    }
}
