using K2.Storage.Hosting;
using Microsoft.Extensions.Options;

namespace K2.Grains.Configuration;

/// <summary>Refuses gap-repair and candle settings that would spin, never repair or never write, naming each one.</summary>
internal sealed class IngestOptionsValidator : IValidateOptions<IngestOptions>
{
    /// <summary>Leaves a quarter of Orleans' default 30 s response timeout for the work around the wait.</summary>
    private static readonly TimeSpan MaxWaitInTurn = TimeSpan.FromSeconds(22.5);

    public ValidateOptionsResult Validate(string? name, IngestOptions options)
    {
        var problems = new SectionProblems(IngestOptions.Section);
        problems.NotNegative(nameof(options.GapGrace), options.GapGrace);
        problems.AtLeast(nameof(options.MaxBackfillAttempts), options.MaxBackfillAttempts, 1);
        problems.Positive(nameof(options.BackfillRetryDelay), options.BackfillRetryDelay);
        problems.Positive(nameof(options.MaxBackfillRetryDelay), options.MaxBackfillRetryDelay);
        problems.NotAbove(nameof(options.BackfillRetryDelay), options.BackfillRetryDelay, nameof(options.MaxBackfillRetryDelay), options.MaxBackfillRetryDelay);
        problems.NotNegative(nameof(options.ResumeGapWindow), options.ResumeGapWindow);
        problems.NotNegative(nameof(options.ReconcileInterval), options.ReconcileInterval);
        problems.NotNegative(nameof(options.QuietProbeAfter), options.QuietProbeAfter);
        problems.Positive(nameof(options.GapOverdueAfter), options.GapOverdueAfter);
        problems.AtLeast(nameof(options.MaxRestoredGaps), options.MaxRestoredGaps, 0);
        problems.Positive(nameof(options.CandleMemoryWindow), options.CandleMemoryWindow);
        problems.Positive(nameof(options.CandleWriteInterval), options.CandleWriteInterval);
        if (options.CandleSettleAfter is { } settleAfter)
        {
            problems.Positive(nameof(options.CandleSettleAfter), settleAfter);
        }
        // Both bound waits inside grain turns, which Orleans times out after 30 s: a call that outlived it would be
        // answered by nobody and the calls queued behind it dropped.
        WithinCallTimeout(problems, nameof(options.StoreWaitLimit), options.StoreWaitLimit);
        WithinCallTimeout(problems, nameof(options.ResumeTimeLimit), options.ResumeTimeLimit);
        return problems.ToResult();
    }

    private static void WithinCallTimeout(SectionProblems problems, string key, TimeSpan value)
    {
        problems.Positive(key, value);
        if (value > MaxWaitInTurn && value != Timeout.InfiniteTimeSpan)
        {
            problems.Add(key, $"must not exceed {MaxWaitInTurn}, three quarters of a grain call's 30 s timeout (is {value}).");
        }
    }
}
