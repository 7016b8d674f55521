using Microsoft.Extensions.Options;
using Quartz;

namespace K2.Silo.Schedules;

/// <summary>
/// Refuses schedule settings that would never fire, fire every missed time after downtime instead of once, or have
/// nowhere to be stored, naming each one.
/// </summary>
internal sealed class SchedulesOptionsValidator : IValidateOptions<SchedulesOptions>
{
    /// <summary>How many gaps between upcoming fire times are checked against the misfire threshold.</summary>
    private const int GapsChecked = 64;

    public ValidateOptionsResult Validate(string? name, SchedulesOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        switch (options.Store)
        {
            case ScheduleStore.Sqlite when string.IsNullOrWhiteSpace(options.SqlitePath):
                failures.Add("SqlitePath is required when Store is Sqlite.");
                break;
            case ScheduleStore.Postgres when string.IsNullOrWhiteSpace(options.PostgresConnectionString):
                failures.Add("PostgresConnectionString is required when Store is Postgres.");
                break;
            case ScheduleStore.Sqlite or ScheduleStore.Postgres:
                break;
            default:
                failures.Add($"Store must be Sqlite or Postgres (is {options.Store}).");
                break;
        }

        if (options.MisfireThreshold <= TimeSpan.Zero || options.MisfireThreshold.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            failures.Add($"MisfireThreshold must be a positive whole number of milliseconds (is {options.MisfireThreshold}).");
        }

        if (options.ClusterCheckinInterval <= TimeSpan.Zero || options.ClusterCheckinMisfireThreshold <= TimeSpan.Zero)
        {
            failures.Add($"ClusterCheckinInterval ({options.ClusterCheckinInterval}) and ClusterCheckinMisfireThreshold " +
                $"({options.ClusterCheckinMisfireThreshold}) must be positive.");
        }

        CheckCron(nameof(SchedulesOptions.Offload), options.Offload.Cron, options.MisfireThreshold, failures);
        CheckCron(nameof(SchedulesOptions.Maintenance), options.Maintenance.Cron, options.MisfireThreshold, failures);
        return failures.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(failures.Select(f => $"{SchedulesOptions.Section}: {f}"));
    }

    private static void CheckCron(string schedule, string cron, TimeSpan misfireThreshold, List<string> failures)
    {
        if (!CronExpression.TryParse(cron, out var expression))
        {
            failures.Add($"{schedule}:Cron is not a Quartz cron expression (is '{cron}').");
            return;
        }

        expression = expression.WithTimeZone(TimeZoneInfo.Utc);
        var shortestGap = TimeSpan.MaxValue;
        var fireTime = expression.GetNextValidTimeAfter(DateTimeOffset.UtcNow);
        if (fireTime is null)
        {
            failures.Add($"{schedule}:Cron never fires again (is '{cron}').");
            return;
        }

        for (var i = 0; i < GapsChecked; i++)
        {
            var next = expression.GetNextValidTimeAfter(fireTime.Value);
            if (next is null)
            {
                break;
            }

            shortestGap = next.Value - fireTime.Value < shortestGap ? next.Value - fireTime.Value : shortestGap;
            fireTime = next;
        }

        if (misfireThreshold >= shortestGap)
        {
            failures.Add($"MisfireThreshold ({misfireThreshold}) must be shorter than the {shortestGap} between two " +
                $"{schedule} fire times, or a restart would run each missed fire time instead of one catch-up run.");
        }
    }
}
