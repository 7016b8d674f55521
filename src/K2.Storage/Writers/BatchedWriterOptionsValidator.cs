using Microsoft.Extensions.Options;

namespace K2.Storage.Writers;

/// <summary>Refuses writer settings that would spin, never flush or never accept a row, naming each one.</summary>
internal sealed class BatchedWriterOptionsValidator : IValidateOptions<BatchedWriterOptions>
{
    public ValidateOptionsResult Validate(string? name, BatchedWriterOptions options)
    {
        var failures = new List<string>();
        if (options.MaxBatchRows < 1)
        {
            failures.Add($"MaxBatchRows must be at least 1 (is {options.MaxBatchRows}).");
        }

        if (options.MaxBufferedRows < 1)
        {
            failures.Add($"MaxBufferedRows must be at least 1 (is {options.MaxBufferedRows}).");
        }

        if (options.FlushInterval <= TimeSpan.Zero)
        {
            failures.Add($"FlushInterval must be positive (is {options.FlushInterval}).");
        }

        if (options.InitialRetryDelay < TimeSpan.Zero || options.MaxRetryDelay < options.InitialRetryDelay)
        {
            failures.Add($"Retry delays must satisfy 0 <= InitialRetryDelay ({options.InitialRetryDelay}) <= MaxRetryDelay ({options.MaxRetryDelay}).");
        }

        if (options.ShutdownFlushTimeout < TimeSpan.Zero)
        {
            failures.Add($"ShutdownFlushTimeout must not be negative (is {options.ShutdownFlushTimeout}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures.Select(f => $"K2:Storage:Writers: {f}"));
    }
}
