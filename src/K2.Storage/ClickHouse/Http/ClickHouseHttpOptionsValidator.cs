using Microsoft.Extensions.Options;

namespace K2.Storage.ClickHouse.Http;

/// <summary>Refuses HTTP settings that could never reach a server or would never give up, naming each one.</summary>
internal sealed class ClickHouseHttpOptionsValidator : IValidateOptions<ClickHouseHttpOptions>
{
    public ValidateOptionsResult Validate(string? name, ClickHouseHttpOptions options)
    {
        var failures = new List<string>();
        if (options.Url is not { IsAbsoluteUri: true, Scheme: "http" or "https" })
        {
            failures.Add($"Url must be an absolute http or https URL (is '{options.Url}').");
        }

        if (string.IsNullOrEmpty(options.User))
        {
            failures.Add("User must not be empty.");
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout == System.Threading.Timeout.InfiniteTimeSpan)
        {
            failures.Add($"Timeout must be positive and finite (is {options.Timeout}).");
        }

        if (options.ReadRetries < 0)
        {
            failures.Add($"ReadRetries must not be negative (is {options.ReadRetries}).");
        }

        if (options.ReadRetryDelay < TimeSpan.Zero)
        {
            failures.Add($"ReadRetryDelay must not be negative (is {options.ReadRetryDelay}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures.Select(f => $"K2:Storage:Http: {f}"));
    }
}
