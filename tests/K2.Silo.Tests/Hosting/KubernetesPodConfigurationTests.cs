using K2.Grains.Cluster;
using K2.Silo.Cluster;
using K2.Storage.ClickHouse.Http;
using K2.Storage.Iceberg.Catalog;
using K2.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace K2.Silo.Tests.Hosting;

/// <summary>
/// The settings each pod of deploy/k8s gets (its ConfigMap appsettings layered over the image's, then its environment,
/// with the downward API resolved and Secret keys replaced by placeholders) bind to a K2 cluster configuration that the
/// silo's and k2-api's own start-up validators accept.
/// </summary>
public sealed class KubernetesPodConfigurationTests
{
    /// <summary>Stand-ins for the keys of the Secret k2-secrets the operator creates (README, "Run a cluster").</summary>
    private static readonly Dictionary<(string Secret, string Key), string> Secrets = new()
    {
        [("k2-secrets", "postgres-connection-string")] = "Host=postgres;Username=k2;Password=placeholder;Database=k2",
        [("k2-secrets", "clickhouse-password")] = "placeholder-clickhouse-password",
        [("k2-secrets", "s3-access-key")] = "placeholder-access-key",
        [("k2-secrets", "s3-secret-key")] = "placeholder-secret-key",
        [("k2-secrets", "admin-api-key")] = "placeholder-admin-api-key-0123456789",
    };

    private const string AppsettingsPath = "/app/appsettings.Production.json";

    [Fact]
    public async Task A_silo_pod_binds_to_a_valid_cluster_member_with_Kubernetes_hosting_at_the_pods_IP()
    {
        var objects = KustomizeBuild.Objects();
        var pod = KubernetesPod.Of(objects, KustomizeBuild.Single(objects, "Deployment", "k2-silo"), "silo", Secrets);

        await using var silo = BindSilo(pod, out _);

        silo.Problems.ShouldBeEmpty();
        var cluster = silo.Services.GetRequiredService<IOptions<SiloClusterOptions>>().Value;
        cluster.Membership.ShouldBe(ClusterMembership.Postgres);
        cluster.Kubernetes.ShouldBeTrue();
        cluster.AdvertisedAddress.ShouldBe(KubernetesPod.Ip);
        (cluster.ClusterId, cluster.ServiceId).ShouldBe(("k2", "k2"));
        var state = silo.Services.GetRequiredService<IOptions<StateDatabaseOptions>>().Value;
        state.Kind.ShouldBe(StateDatabaseKind.Postgres);
        cluster.MembershipConnectionString(state).ShouldBe(Secrets[("k2-secrets", "postgres-connection-string")]);
        var clickHouse = silo.Services.GetRequiredService<IOptions<ClickHouseHttpOptions>>().Value;
        (clickHouse.Url, clickHouse.User, clickHouse.Password).ShouldBe((new Uri("http://clickhouse:8123/"), "k2", "placeholder-clickhouse-password"));
    }

    [Fact]
    public async Task An_API_pod_binds_to_a_valid_client_of_the_silos_cluster()
    {
        var objects = KustomizeBuild.Objects();
        var siloPod = KubernetesPod.Of(objects, KustomizeBuild.Single(objects, "Deployment", "k2-silo"), "silo", Secrets);
        var apiPod = KubernetesPod.Of(objects, KustomizeBuild.Single(objects, "Deployment", "k2-api"), "api", Secrets);
        using var files = new TempDirectory("k2-api-pod");
        var settings = ContainerConfiguration.Settings([apiPod.Files[AppsettingsPath]], apiPod.Environment);
        // The registry the API reads is the ConfigMap's file mounted where K2:Instruments:Path points.
        var instruments = Path.Combine(files.Path, "instruments.yaml");
        await File.WriteAllTextAsync(instruments, apiPod.Files[settings["K2:Instruments:Path"]!], TestContext.Current.CancellationToken);
        settings["K2:Instruments:Path"] = instruments;

        await using var api = ContainerConfiguration.Api(settings);
        await using var silo = BindSilo(siloPod, out var siloSettings);

        api.Problems.ShouldBeEmpty();
        api.ShouldBeClientOf(silo);
        // The shards the API asks the cluster about are the silos' own.
        Section(settings, "K2:Exchanges").ShouldBe(Section(siloSettings, "K2:Exchanges"));
    }

    [Fact]
    public async Task A_silo_pod_whose_cluster_label_disagrees_with_K2s_cluster_id_is_refused_at_start()
    {
        var objects = KustomizeBuild.Objects();
        var workload = KustomizeBuild.Single(objects, "Deployment", "k2-silo");
        workload["spec"]!["template"]!["metadata"]!["labels"]!["orleans/clusterId"] = "k2-blue";
        var pod = KubernetesPod.Of(objects, workload, "silo", Secrets);

        await using var silo = BindSilo(pod, out _);

        silo.Problems.ShouldBe(["K2:Cluster: ClusterId must equal the environment variable ORLEANS_CLUSTER_ID, which Orleans' Kubernetes hosting uses (is 'k2', ORLEANS_CLUSTER_ID is 'k2-blue')."]);
    }

    private static BoundHost BindSilo(KubernetesPod pod, out Dictionary<string, string?> settings)
    {
        settings = ContainerConfiguration.Settings([pod.Files[AppsettingsPath]], pod.Environment);
        var instruments = Path.Combine(Path.GetTempPath(), $"k2-silo-pod-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(instruments, pod.Files[pod.Arg("--instruments")]);
        try
        {
            return ContainerConfiguration.Silo(settings, instruments);
        }
        finally
        {
            File.Delete(instruments);
        }
    }

    private static Dictionary<string, string?> Section(IReadOnlyDictionary<string, string?> settings, string section) =>
        settings.Where(s => s.Key.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase)).ToDictionary(s => s.Key, s => s.Value, StringComparer.OrdinalIgnoreCase);
}
