using K2.Grains.Cluster;
using K2.Silo.Cluster;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace K2.Silo.Tests.Cluster;

public sealed class KubernetesPodValidatorTests
{
    private static readonly Dictionary<string, string?> Pod = new()
    {
        ["POD_NAME"] = "k2-silo-5d8c7b9f4-x2x9q",
        ["POD_NAMESPACE"] = "k2",
        ["POD_IP"] = "10.244.1.17",
        ["ORLEANS_CLUSTER_ID"] = "k2",
        ["ORLEANS_SERVICE_ID"] = "k2",
    };

    private static SiloClusterOptions InPod() => new()
    {
        Membership = ClusterMembership.Postgres,
        AdvertisedAddress = "10.244.1.17",
        Kubernetes = true,
    };

    private static ValidateOptionsResult Validate(SiloClusterOptions options, IReadOnlyDictionary<string, string?> environment) =>
        new KubernetesPodValidator(new ConfigurationBuilder().AddInMemoryCollection(environment).Build()).Validate(null, options);

    [Fact]
    public void A_silo_in_its_pod_with_the_pods_address_and_ids_is_accepted()
    {
        Validate(InPod(), Pod).Succeeded.ShouldBeTrue();
    }

    [Fact]
    public void Without_Kubernetes_hosting_the_pods_environment_is_not_read()
    {
        Validate(new SiloClusterOptions(), new Dictionary<string, string?>()).Skipped.ShouldBeTrue();
    }

    [Fact]
    public void Kubernetes_hosting_without_the_PostgreSQL_membership_is_refused()
    {
        var options = InPod();
        options.Membership = ClusterMembership.Localhost;

        Validate(options, Pod).Failures.ShouldBe(
            ["K2:Cluster: Kubernetes needs Membership Postgres: Kubernetes hosting is not a membership provider (Membership is Localhost)."]);
    }

    [Fact]
    public void Every_missing_or_disagreeing_variable_is_named()
    {
        var environment = new Dictionary<string, string?>(Pod) { ["POD_NAME"] = null, ["POD_IP"] = "10.244.1.18", ["ORLEANS_SERVICE_ID"] = null };
        environment.Remove("POD_NAMESPACE");

        Validate(InPod(), environment).Failures.ShouldBe(
        [
            "K2:Cluster: Kubernetes needs the environment variable POD_NAME (the downward API's metadata.name).",
            "K2:Cluster: Kubernetes needs the environment variable POD_NAMESPACE (the downward API's metadata.namespace).",
            "K2:Cluster: AdvertisedAddress must equal the environment variable POD_IP, which Orleans' Kubernetes hosting uses (is '10.244.1.17', POD_IP is '10.244.1.18').",
            "K2:Cluster: ServiceId must equal the environment variable ORLEANS_SERVICE_ID, which Orleans' Kubernetes hosting uses (is 'k2', ORLEANS_SERVICE_ID is not set).",
        ]);
    }
}
