using Microsoft.Extensions.Options;

namespace K2.Silo.Schedules;

/// <summary>Refuses periods and offsets that could not place a due time, and too short a lease, naming each one.</summary>
internal sealed class SchedulesOptionsValidator : IValidateOptions<SchedulesOptions>
{
    /// <summary>
    /// Tests run schedules every few seconds; anything shorter would have runs pile up behind each other. Production
    /// uses minutes and days. Below one minute the reminder service is told to accept it (and warns that it is unusual).
    /// </summary>
    public static readonly TimeSpan ShortestPeriod = TimeSpan.FromSeconds(1);

    /// <summary>Renewals every third of it then come at most once a second.</summary>
    public static readonly TimeSpan ShortestLeaseTtl = TimeSpan.FromSeconds(3);

    public ValidateOptionsResult Validate(string? name, SchedulesOptions options)
    {
        var failures = new List<string>();
        // An operator's run takes the lease too, with the schedules off.
        if (options.LeaseTtl < ShortestLeaseTtl || !WholeMilliseconds(options.LeaseTtl))
        {
            failures.Add($"{nameof(SchedulesOptions.LeaseTtl)} must be a whole number of milliseconds, at least {ShortestLeaseTtl} (is {options.LeaseTtl}).");
        }

        if (options.Enabled)
        {
            Check(nameof(SchedulesOptions.Offload), options.Offload, failures);
            Check(nameof(SchedulesOptions.Maintenance), options.Maintenance, failures);
        }

        return failures.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(failures.Select(f => $"{SchedulesOptions.Section}: {f}"));
    }

    private static void Check(string schedule, ScheduleOptions options, List<string> failures)
    {
        if (options.Period < ShortestPeriod || !WholeMilliseconds(options.Period))
        {
            failures.Add($"{schedule}:Period must be a whole number of milliseconds, at least {ShortestPeriod} (is {options.Period}).");
        }
        else if (options.Offset < TimeSpan.Zero || options.Offset >= options.Period || !WholeMilliseconds(options.Offset))
        {
            failures.Add($"{schedule}:Offset must be a whole number of milliseconds from 0 to less than the period {options.Period} (is {options.Offset}).");
        }
    }

    private static bool WholeMilliseconds(TimeSpan value) => value.Ticks % TimeSpan.TicksPerMillisecond == 0;
}
