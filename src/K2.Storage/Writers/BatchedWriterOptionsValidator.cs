using K2.Storage.Hosting;
using Microsoft.Extensions.Options;

namespace K2.Storage.Writers;

/// <summary>Refuses writer settings that would spin, never flush or never accept a row, naming each one.</summary>
internal sealed class BatchedWriterOptionsValidator : IValidateOptions<BatchedWriterOptions>
{
    public ValidateOptionsResult Validate(string? name, BatchedWriterOptions options)
    {
        var problems = new SectionProblems(BatchedWriterOptions.Section);
        problems.AtLeast(nameof(options.MaxBatchRows), options.MaxBatchRows, 1);
        // Not checked against MaxBatchRows: the writer never cuts a backlog batch below it, so raising MaxBatchRows alone is fine.
        problems.AtLeast(nameof(options.MaxBacklogBatchRows), options.MaxBacklogBatchRows, 1);
        problems.AtLeast(nameof(options.MaxBufferedRows), options.MaxBufferedRows, 1);
        if (options.FlushInterval <= TimeSpan.Zero)
        {
            problems.Add(nameof(options.FlushInterval), $"must be positive (is {options.FlushInterval}).");
        }

        if (options.InitialRetryDelay < TimeSpan.Zero || options.MaxRetryDelay < options.InitialRetryDelay)
        {
            problems.Add("Retry delays", $"must satisfy 0 <= InitialRetryDelay ({options.InitialRetryDelay}) <= MaxRetryDelay ({options.MaxRetryDelay}).");
        }

        problems.NotNegative(nameof(options.ShutdownFlushTimeout), options.ShutdownFlushTimeout);
        return problems.ToResult();
    }
}
