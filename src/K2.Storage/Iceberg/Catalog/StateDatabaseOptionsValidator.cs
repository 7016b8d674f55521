using K2.Storage.Hosting;
using Microsoft.Extensions.Options;

namespace K2.Storage.Iceberg.Catalog;

/// <summary>Refuses a state database K2 could not reach, naming the missing setting.</summary>
internal sealed class StateDatabaseOptionsValidator : IValidateOptions<StateDatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, StateDatabaseOptions options)
    {
        var problems = new SectionProblems(StateDatabaseOptions.Section);
        switch (options.Kind)
        {
            case StateDatabaseKind.Sqlite:
                problems.NotEmpty(nameof(options.SqlitePath), options.SqlitePath);
                break;
            case StateDatabaseKind.Postgres:
                problems.NotEmpty(nameof(options.PostgresConnectionString), options.PostgresConnectionString);
                break;
            default:
                problems.Add(nameof(options.Kind), $"must be Sqlite or Postgres (is {options.Kind}).");
                break;
        }

        problems.NotEmpty(nameof(options.CatalogName), options.CatalogName);
        return problems.ToResult();
    }
}
