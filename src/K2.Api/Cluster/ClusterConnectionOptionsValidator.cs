using K2.Grains.Cluster;
using K2.Storage.Hosting;
using K2.Storage.Iceberg.Catalog;
using Microsoft.Extensions.Options;

namespace K2.Api.Cluster;

/// <summary>Refuses a cluster configuration the API could not connect with, naming each key.</summary>
internal sealed class ClusterConnectionOptionsValidator(IOptions<StateDatabaseOptions> state) : IValidateOptions<ClusterConnectionOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusterConnectionOptions options)
    {
        var problems = new SectionProblems(ClusterConnectionOptions.Section);
        options.CheckConnection(problems, state);
        return problems.ToResult();
    }
}
