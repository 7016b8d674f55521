using K2.Storage.Hosting;
using Microsoft.Extensions.Options;

namespace K2.Storage.ClickHouse.Http;

/// <summary>Refuses HTTP settings that could never reach a server or would never give up, naming each one.</summary>
internal sealed class ClickHouseHttpOptionsValidator : IValidateOptions<ClickHouseHttpOptions>
{
    public ValidateOptionsResult Validate(string? name, ClickHouseHttpOptions options)
    {
        var problems = new SectionProblems(ClickHouseHttpOptions.Section);
        problems.AbsoluteUrl(nameof(options.Url), options.Url, "http", "https");
        if (string.IsNullOrEmpty(options.User))
        {
            problems.Add(nameof(options.User), "must not be empty.");
        }

        problems.Positive(nameof(options.Timeout), options.Timeout);
        if (options.ReadRetries < 0)
        {
            problems.Add(nameof(options.ReadRetries), $"must not be negative (is {options.ReadRetries}).");
        }

        problems.NotNegative(nameof(options.ReadRetryDelay), options.ReadRetryDelay);
        return problems.ToResult();
    }
}
