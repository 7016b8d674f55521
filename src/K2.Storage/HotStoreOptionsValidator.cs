using K2.Storage.Hosting;
using Microsoft.Extensions.Options;

namespace K2.Storage;

/// <summary>Refuses a database name that could not be spliced into DDL safely.</summary>
internal sealed class HotStoreOptionsValidator : IValidateOptions<HotStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, HotStoreOptions options)
    {
        var problems = new SectionProblems(HotStoreOptions.Section);
        if (!HotStoreOptions.IsValidDatabaseName(options.Database))
        {
            problems.Add(nameof(options.Database), $"must be a lower-case identifier of at most 63 characters (is '{options.Database}').");
        }

        return problems.ToResult();
    }
}
