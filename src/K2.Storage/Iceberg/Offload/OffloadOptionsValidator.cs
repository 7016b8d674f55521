using K2.Storage.Hosting;
using Microsoft.Extensions.Options;

namespace K2.Storage.Iceberg.Offload;

/// <summary>Refuses offload settings that would commit nothing or read rows still in flight, naming each one.</summary>
internal sealed class OffloadOptionsValidator : IValidateOptions<OffloadOptions>
{
    public ValidateOptionsResult Validate(string? name, OffloadOptions options)
    {
        var problems = new SectionProblems(OffloadOptions.Section);
        problems.NotNegative(nameof(options.SafetyLag), options.SafetyLag);
        problems.AtLeast(nameof(options.MaxRowsPerCommit), options.MaxRowsPerCommit, 1);
        return problems.ToResult();
    }
}
