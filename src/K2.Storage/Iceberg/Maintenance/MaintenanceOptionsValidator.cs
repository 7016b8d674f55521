using K2.Storage.Hosting;
using Microsoft.Extensions.Options;

namespace K2.Storage.Iceberg.Maintenance;

/// <summary>Refuses maintenance settings that would delete files still in use or never compact, naming each one.</summary>
internal sealed class MaintenanceOptionsValidator : IValidateOptions<MaintenanceOptions>
{
    /// <summary>
    /// An offload or compaction writes its files before it commits them; a grace period shorter than the longest such
    /// run would let orphan removal delete a file that is about to be committed.
    /// </summary>
    internal static readonly TimeSpan MinimumOrphanGracePeriod = TimeSpan.FromHours(1);

    public ValidateOptionsResult Validate(string? name, MaintenanceOptions options)
    {
        var problems = new SectionProblems(MaintenanceOptions.Section);
        problems.NotNegative(nameof(options.SnapshotRetention), options.SnapshotRetention);
        if (options.OrphanGracePeriod < MinimumOrphanGracePeriod)
        {
            problems.Add(nameof(options.OrphanGracePeriod),
                $"must be at least {MinimumOrphanGracePeriod}, or files of a running offload could be removed (is {options.OrphanGracePeriod}).");
        }

        problems.AtLeast(nameof(options.SmallFileBytes), options.SmallFileBytes, 1);
        problems.AtLeast(nameof(options.TargetFileBytes), options.TargetFileBytes, Math.Max(1, options.SmallFileBytes));
        problems.Positive(nameof(options.AuditWindow), options.AuditWindow);
        return problems.ToResult();
    }
}
