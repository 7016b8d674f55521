using K2.Silo.Schedules;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace K2.Silo.Tests.Schedules;

public sealed class SchedulesOptionsValidatorTests
{
    private static ValidateOptionsResult Validate(SchedulesOptions options) => new SchedulesOptionsValidator().Validate(null, options);

    [Fact]
    public void The_defaults_with_a_store_are_valid()
    {
        Validate(new SchedulesOptions { SqlitePath = "state/k2.db" }).Succeeded.ShouldBeTrue();
    }

    [Fact]
    public void A_misfire_threshold_as_long_as_the_gap_between_fire_times_is_refused()
    {
        var result = Validate(new SchedulesOptions
        {
            SqlitePath = "k2.db",
            MisfireThreshold = TimeSpan.FromMinutes(15),
        });

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain("K2:Schedules: MisfireThreshold (00:15:00) must be shorter than the 00:15:00 between two Offload fire times");
    }

    [Fact]
    public void Each_bad_setting_is_named()
    {
        var result = Validate(new SchedulesOptions
        {
            Store = ScheduleStore.Postgres,
            MisfireThreshold = TimeSpan.Zero,
            Offload = new ScheduleOptions { Cron = "every 15 minutes" },
            Maintenance = new ScheduleOptions { Cron = "0 0 2 1 1 ? 2001" },
        });

        result.Failures!.ShouldBe(
        [
            "K2:Schedules: PostgresConnectionString is required when Store is Postgres.",
            "K2:Schedules: MisfireThreshold must be a positive whole number of milliseconds (is 00:00:00).",
            "K2:Schedules: Offload:Cron is not a Quartz cron expression (is 'every 15 minutes').",
            "K2:Schedules: Maintenance:Cron never fires again (is '0 0 2 1 1 ? 2001').",
        ]);
    }

    [Fact]
    public void Registering_invalid_schedules_fails_at_once_naming_the_setting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["K2:Schedules:Store"] = "Sqlite",
        }).Build();

        var failure = Should.Throw<OptionsValidationException>(() => new ServiceCollection().AddK2Schedules(configuration));

        failure.Message.ShouldContain("K2:Schedules: SqlitePath is required when Store is Sqlite.");
    }
}
