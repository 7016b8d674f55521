using K2.Storage.Hosting;
using Microsoft.Extensions.Options;

namespace K2.Storage.ClickHouse.Embedded;

/// <summary>Refuses embedded-engine settings that could not open a store, naming each one.</summary>
internal sealed class EmbeddedClickHouseOptionsValidator : IValidateOptions<EmbeddedClickHouseOptions>
{
    public ValidateOptionsResult Validate(string? name, EmbeddedClickHouseOptions options)
    {
        var problems = new SectionProblems(EmbeddedClickHouseOptions.Section);
        problems.NotEmpty(nameof(options.DataPath), options.DataPath);
        problems.AtLeast(nameof(options.QueryConnections), options.QueryConnections, 1);
        problems.AtLeast(nameof(options.InsertConnections), options.InsertConnections, 1);
        problems.AtLeast(nameof(options.StreamConnections), options.StreamConnections, 1);
        return problems.ToResult();
    }
}
