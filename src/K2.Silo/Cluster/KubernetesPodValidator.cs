using K2.Grains.Cluster;
using K2.Storage.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Hosting.Kubernetes;

namespace K2.Silo.Cluster;

/// <summary>
/// With <c>K2:Cluster:Kubernetes</c>, checks the pod's environment as Orleans' Kubernetes hosting will read it (the
/// process environment, which is also K2's configuration): the pod's name and namespace must be there, and the pod's
/// IP and the cluster and service ids Orleans takes from it must be those K2 joins the membership with. Otherwise a
/// silo would advertise one address or cluster to PostgreSQL and another to Kubernetes.
/// </summary>
internal sealed class KubernetesPodValidator(IConfiguration configuration) : IValidateOptions<SiloClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, SiloClusterOptions options)
    {
        if (!options.Kubernetes)
        {
            return ValidateOptionsResult.Skip;
        }

        var problems = new SectionProblems(SiloClusterOptions.Section);
        if (options.Membership != ClusterMembership.Postgres)
        {
            problems.Add(nameof(options.Kubernetes), $"needs Membership Postgres: Kubernetes hosting is not a membership provider (Membership is {options.Membership}).");
            return problems.ToResult();
        }

        foreach (var variable in new[] { KubernetesHostingOptions.PodNameEnvironmentVariable, KubernetesHostingOptions.PodNamespaceEnvironmentVariable })
        {
            if (string.IsNullOrWhiteSpace(configuration[variable]))
            {
                problems.Add(nameof(options.Kubernetes), $"needs the environment variable {variable} (the downward API's metadata.{(variable == KubernetesHostingOptions.PodNameEnvironmentVariable ? "name" : "namespace")}).");
            }
        }

        Same(problems, KubernetesHostingOptions.PodIPEnvironmentVariable, nameof(options.AdvertisedAddress), options.AdvertisedAddress);
        Same(problems, KubernetesHostingOptions.ClusterIdEnvironmentVariable, nameof(options.ClusterId), options.ClusterId);
        Same(problems, KubernetesHostingOptions.ServiceIdEnvironmentVariable, nameof(options.ServiceId), options.ServiceId);
        return problems.ToResult();
    }

    private void Same(SectionProblems problems, string variable, string key, string value)
    {
        var seen = configuration[variable];
        if (!string.Equals(seen, value, StringComparison.Ordinal))
        {
            var seenText = seen is null ? "not set" : $"'{seen}'";
            problems.Add(key, $"must equal the environment variable {variable}, which Orleans' Kubernetes hosting uses (is '{value}', {variable} is {seenText}).");
        }
    }
}
