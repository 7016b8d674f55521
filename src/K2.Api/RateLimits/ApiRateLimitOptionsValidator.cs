using Microsoft.Extensions.Options;

namespace K2.Api.RateLimits;

internal sealed class ApiRateLimitOptionsValidator : IValidateOptions<ApiRateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiRateLimitOptions options)
    {
        var failures = new List<string>();
        if (options.PermitsPerPeriod < 1)
        {
            failures.Add($"{ApiRateLimitOptions.Section}: PermitsPerPeriod must be at least 1 (is {options.PermitsPerPeriod}).");
        }

        if (options.Period < TimeSpan.FromMilliseconds(1))
        {
            failures.Add($"{ApiRateLimitOptions.Section}: Period must be at least 1 ms (is {options.Period}).");
        }

        if (options.Burst < options.PermitsPerPeriod)
        {
            failures.Add($"{ApiRateLimitOptions.Section}: Burst must be at least PermitsPerPeriod ({options.PermitsPerPeriod}) (is {options.Burst}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
