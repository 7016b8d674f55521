using Microsoft.Extensions.Options;

namespace K2.Grains.Runtime;

internal sealed class GrainRuntimeOptionsValidator : IValidateOptions<GrainRuntimeOptions>
{
    public ValidateOptionsResult Validate(string? name, GrainRuntimeOptions options)
    {
        List<string> failures = [];
        if (options.MailboxCapacity < 1)
        {
            failures.Add($"{GrainRuntimeOptions.Section}:{nameof(options.MailboxCapacity)} must be at least 1.");
        }

        AddIfNotPositive(failures, nameof(options.IdleTimeout), options.IdleTimeout);
        AddIfNotPositive(failures, nameof(options.CollectionInterval), options.CollectionInterval);
        AddIfNotPositive(failures, nameof(options.ShutdownTimeout), options.ShutdownTimeout);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void AddIfNotPositive(List<string> failures, string setting, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{GrainRuntimeOptions.Section}:{setting} must be positive.");
        }
    }
}
