using K2.Storage.Hosting;
using Microsoft.Extensions.Options;

namespace K2.Grains.Configuration;

/// <summary>Refuses gap-repair and candle settings that would spin, never repair or never write, naming each one.</summary>
internal sealed class IngestOptionsValidator : IValidateOptions<IngestOptions>
{
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
        return problems.ToResult();
    }
}
