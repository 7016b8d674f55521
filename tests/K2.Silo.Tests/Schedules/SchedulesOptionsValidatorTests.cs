using K2.Silo.Schedules;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace K2.Silo.Tests.Schedules;

public sealed class SchedulesOptionsValidatorTests
{
    private static ValidateOptionsResult Validate(SchedulesOptions options) => new SchedulesOptionsValidator().Validate(null, options);

    [Fact]
    public void The_defaults_are_valid()
    {
        Validate(new SchedulesOptions()).Succeeded.ShouldBeTrue();
        new SchedulesOptions().LeaseTtl.ShouldBe(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void Each_bad_setting_is_named()
    {
        var result = Validate(new SchedulesOptions
        {
            Offload = new ScheduleOptions { Period = TimeSpan.FromMilliseconds(500) },
            Maintenance = new ScheduleOptions { Period = TimeSpan.FromDays(1), Offset = TimeSpan.FromDays(1) },
        });

        result.Failures!.ShouldBe(
        [
            "K2:Schedules: Offload:Period must be a whole number of milliseconds, at least 00:00:01 (is 00:00:00.5000000).",
            "K2:Schedules: Maintenance:Offset must be a whole number of milliseconds from 0 to less than the period 1.00:00:00 (is 1.00:00:00).",
        ]);
    }

    [Fact]
    public void Disabled_schedules_are_not_checked_but_their_lease_is()
    {
        Validate(new SchedulesOptions { Enabled = false, Offload = new ScheduleOptions() }).Succeeded.ShouldBeTrue();
        Validate(new SchedulesOptions { Enabled = false, LeaseTtl = TimeSpan.FromSeconds(2.9995) }).Failures!.ShouldBe(
        [
            "K2:Schedules: LeaseTtl must be a whole number of milliseconds, at least 00:00:03 (is 00:00:02.9995000).",
        ]);
        Validate(new SchedulesOptions { LeaseTtl = TimeSpan.FromSeconds(3) }).Succeeded.ShouldBeTrue();
        Validate(new SchedulesOptions { LeaseTtl = TimeSpan.FromTicks(30_000_001) }).Failures!.ShouldBe(
        [
            "K2:Schedules: LeaseTtl must be a whole number of milliseconds, at least 00:00:03 (is 00:00:03.0000001).",
        ]);
    }

    [Fact]
    public void Periods_bound_from_configuration_lower_the_reminder_minimum_only_when_shorter()
    {
        ReminderOptions Reminders(Dictionary<string, string?> settings)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            using var provider = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddK2Schedules().BuildServiceProvider();
            provider.GetRequiredService<IOptions<SchedulesOptions>>().Value.Offload.Offset.ShouldBe(TimeSpan.Zero);
            return provider.GetRequiredService<IOptions<ReminderOptions>>().Value;
        }

        Reminders(new() { ["K2:Schedules:Offload:Period"] = "00:00:08" }).MinimumReminderPeriod.ShouldBe(TimeSpan.FromSeconds(8));
        Reminders([]).MinimumReminderPeriod.ShouldBe(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void Invalid_schedules_fail_the_start_naming_the_setting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["K2:Schedules:Offload:Offset"] = "00:20:00",
        }).Build();
        using var provider = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddK2Schedules().BuildServiceProvider();

        var failure = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SchedulesOptions>>().Value);

        failure.Message.ShouldContain("K2:Schedules: Offload:Offset must be a whole number of milliseconds from 0 to less than the period 00:15:00 (is 00:20:00).");
    }
}
