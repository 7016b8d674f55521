using System.Net;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using K2.Grains.Cluster;
using K2.Silo.Cluster;
using K2.Storage.ClickHouse.Http;
using K2.Storage.Iceberg.Catalog;
using K2.Storage.ObjectStores;
using K2.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace K2.Silo.Tests.Hosting;

/// <summary>
/// docker/docker-compose.yml cannot be run here (no Docker), so each K2 service's environment is bound as its process
/// would bind it and checked by the validators that stop it at start, the files it mounts and builds from must exist,
/// and the services must name each other as Prometheus, Grafana and ClickHouse's bucket settings expect.
/// </summary>
public sealed class DockerComposeConfigurationTests
{
    private static readonly string DockerDirectory = Path.Combine(RepositoryPaths.Root, "docker");
    private static readonly JsonObject Compose = YamlJson.LoadAll(File.ReadAllText(Path.Combine(DockerDirectory, "docker-compose.yml"))).Single();
    private static readonly JsonObject Services = Compose["services"]!.AsObject();
    private static readonly string[] Silos = ["silo-1", "silo-2"];

    [Fact]
    public void The_stack_is_ClickHouse_PostgreSQL_MinIO_with_its_bucket_Prometheus_Grafana_two_silos_and_one_API()
    {
        Services.Select(s => s.Key).Order(StringComparer.Ordinal).ShouldBe(
            ["api", "clickhouse", "grafana", "minio", "minio-bucket", "postgres", "prometheus", "silo-1", "silo-2"]);
        ((string?)Services["silo-1"]!["build"]!["dockerfile"]).ShouldBe("docker/Dockerfile");
        ((string?)Services["silo-2"]!["build"]!["dockerfile"]).ShouldBe("docker/Dockerfile");
        ((string?)Services["api"]!["build"]!["dockerfile"]).ShouldBe("docker/Dockerfile.api");
        // Published on loopback only.
        Services.SelectMany(s => s.Value!["ports"]?.AsArray() ?? []).ShouldAllBe(p => ((string)p!).StartsWith("127.0.0.1:", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_file_and_directory_the_stack_mounts_or_builds_from_exists()
    {
        var checkedPaths = new List<string>();
        foreach (var (name, service) in Services)
        {
            foreach (var volume in service!["volumes"]?.AsArray() ?? [])
            {
                var source = ((string)volume!).Split(':')[0];
                if (source.StartsWith('.') || source.StartsWith('/'))
                {
                    var path = Path.GetFullPath(Path.Combine(DockerDirectory, source));
                    (File.Exists(path) || Directory.Exists(path)).ShouldBeTrue($"{name} mounts {source}, which does not exist");
                    checkedPaths.Add(path);
                }
            }

            if (service["build"] is { } build)
            {
                var context = Path.GetFullPath(Path.Combine(DockerDirectory, (string)build["context"]!));
                Directory.Exists(context).ShouldBeTrue($"{name} builds from {context}, which does not exist");
                File.Exists(Path.Combine(context, (string)build["dockerfile"]!)).ShouldBeTrue($"{name}'s Dockerfile {build["dockerfile"]} does not exist");
                File.Exists(Path.Combine(context, "K2.sln")).ShouldBeTrue($"{name} must build from the repository root");
                checkedPaths.Add(Path.Combine(context, (string)build["dockerfile"]!));
            }
        }

        // ClickHouse's bucket settings, Prometheus' configuration and rules, Grafana's provisioning and dashboard, and the
        // two Dockerfiles (the silos share one).
        checkedPaths.Distinct().Count().ShouldBe(8);
    }

    [Fact]
    public async Task Both_silos_environments_bind_to_valid_cluster_members_at_their_own_addresses_on_ClickHouse_PostgreSQL_and_MinIO()
    {
        var subnet = IPNetwork.Parse((string)Compose["networks"]!["default"]!["ipam"]!["config"]![0]!["subnet"]!);
        var addresses = new List<string>();
        foreach (var name in Silos)
        {
            await using var silo = ContainerConfiguration.Silo(Settings(name), RepositoryPaths.InstrumentsFile); // the image's copy

            silo.Problems.ShouldBeEmpty(name);
            var cluster = silo.Services.GetRequiredService<IOptions<SiloClusterOptions>>().Value;
            cluster.Membership.ShouldBe(ClusterMembership.Postgres);
            cluster.Kubernetes.ShouldBeFalse();
            cluster.AdvertisedAddress.ShouldBe((string?)Services[name]!["networks"]!["default"]!["ipv4_address"], name);
            subnet.Contains(IPAddress.Parse(cluster.AdvertisedAddress)).ShouldBeTrue(name);
            addresses.Add(cluster.AdvertisedAddress);
            silo.Services.GetRequiredService<IOptions<ClickHouseHttpOptions>>().Value.Url.ShouldBe(new Uri("http://clickhouse:8123/"));
            var state = silo.Services.GetRequiredService<IOptions<StateDatabaseOptions>>().Value;
            state.Kind.ShouldBe(StateDatabaseKind.Postgres);
            cluster.MembershipConnectionString(state).ShouldBe("Host=postgres;Username=k2;Password=k2;Database=k2");
            var store = silo.Services.GetRequiredService<IObjectStore>().ShouldBeOfType<S3ObjectStore>();
            store.EnforcesCreateOnly.ShouldBeFalse();
            store.LocationOf("cold/silver_trades").ShouldBe("http://minio:9000/k2-warehouse/cold/silver_trades");
        }

        addresses.Distinct().Count().ShouldBe(2);
    }

    [Fact]
    public async Task The_APIs_environment_binds_to_a_valid_client_of_the_silos_cluster()
    {
        await using var api = ContainerConfiguration.Api(Settings("api"));
        await using var silo = ContainerConfiguration.Silo(Settings("silo-1"), RepositoryPaths.InstrumentsFile);

        api.Problems.ShouldBeEmpty();
        api.ShouldBeClientOf(silo);
        api.Services.GetRequiredService<IOptions<ClickHouseHttpOptions>>().Value.Url.ShouldBe(new Uri("http://clickhouse:8123/"));
        api.Services.GetRequiredService<IOptions<WarehouseOptions>>().Value.S3.Bucket.ShouldBe("k2-warehouse");
    }

    [Fact]
    public void Prometheus_scrapes_the_silo_and_API_services_Grafana_reads_that_Prometheus_and_ClickHouse_reads_the_silos_bucket()
    {
        var prometheus = YamlJson.LoadAll(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "deploy", "prometheus", "prometheus.yml"))).Single();
        var jobs = prometheus["scrape_configs"]!.AsArray().ToDictionary(
            j => (string)j!["job_name"]!, j => j!["static_configs"]!.AsArray().SelectMany(c => c!["targets"]!.AsArray()).Select(t => (string)t!).ToArray());
        // Each image's entrypoint serves HTTP (and /metrics) on port 8080 of every address.
        jobs["k2-silo"].ShouldBe([.. Silos.Select(s => $"{s}:8080")]);
        jobs["k2-api"].ShouldBe(["api:8080"]);
        File.ReadAllText(Path.Combine(DockerDirectory, "Dockerfile")).ShouldContain("\"--urls\", \"http://0.0.0.0:8080\"");
        File.ReadAllText(Path.Combine(DockerDirectory, "Dockerfile.api")).ShouldContain("\"--urls\", \"http://0.0.0.0:8080\"");
        var mounted = Services["prometheus"]!["volumes"]!.AsArray().Select(v => ((string)v!).Split(':')[1]).ToArray();
        prometheus["rule_files"]!.AsArray().Select(r => (string)r!).ShouldAllBe(rules => mounted.Contains(rules));

        var datasource = YamlJson.LoadAll(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "deploy", "grafana", "provisioning", "datasources", "prometheus.yml")))
            .Single()["datasources"]![0]!;
        ((string?)datasource["url"]).ShouldBe("http://prometheus:9090");

        var warehouse = Settings("silo-1");
        var clickHouseS3 = XDocument.Load(Path.Combine(DockerDirectory, "clickhouse", "config.d", "warehouse-s3.xml")).Root!.Element("s3")!.Elements().Single();
        clickHouseS3.Element("endpoint")!.Value.ShouldBe($"{warehouse["K2:Warehouse:S3:ServiceUrl"]}{warehouse["K2:Warehouse:S3:Bucket"]}/");
        clickHouseS3.Element("access_key_id")!.Value.ShouldBe(warehouse["K2:Warehouse:S3:AccessKey"]);
        clickHouseS3.Element("secret_access_key")!.Value.ShouldBe(warehouse["K2:Warehouse:S3:SecretKey"]);
    }

    /// <summary>The configuration <paramref name="service"/>'s environment gives its K2 process.</summary>
    private static Dictionary<string, string?> Settings(string service) =>
        ContainerConfiguration.Settings([], Services[service]!["environment"]!.AsObject().ToDictionary(e => e.Key, e => e.Value?.ToString()));
}
