using System.Xml.Linq;
using K2.Silo.Schedules;
using K2.Storage.ClickHouse.Http;
using K2.Storage.Hosting;
using K2.Storage.Iceberg;
using K2.Storage.Iceberg.Catalog;
using K2.Storage.ObjectStores;
using K2.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using YamlDotNet.RepresentationModel;

namespace K2.Silo.Tests.Hosting;

/// <summary>
/// docker/docker-compose.yml cannot be run here (no Docker), so its silo's environment is read as the silo would read
/// it and every setting is bound and validated: a misspelt key or value would otherwise surface only on a user's
/// machine. ClickHouse's bucket credentials must name the bucket the silo writes.
/// </summary>
public sealed class DockerComposeConfigurationTests
{
    private static readonly string ComposeFile = Path.Combine(RepositoryPaths.Root, "docker", "docker-compose.yml");

    private static Dictionary<string, string?> SiloEnvironment()
    {
        var yaml = new YamlStream();
        using (var reader = File.OpenText(ComposeFile))
        {
            yaml.Load(reader);
        }

        var services = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode).Children[new YamlScalarNode("services")];
        var silo = (YamlMappingNode)services.Children[new YamlScalarNode("silo")];
        var environment = (YamlMappingNode)silo.Children[new YamlScalarNode("environment")];
        // As the environment-variables configuration provider maps them: K2__A__B is K2:A:B.
        return environment.Children.ToDictionary(
            e => ((YamlScalarNode)e.Key).Value!.Replace("__", ":", StringComparison.Ordinal),
            e => ((YamlScalarNode)e.Value).Value);
    }

    [Fact]
    public void The_silos_environment_binds_to_a_valid_cluster_configuration_on_ClickHouse_PostgreSQL_and_MinIO()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(SiloEnvironment())
            .AddInMemoryCollection(DataDirectoryLayout.Settings("/data")) // the image runs k2 run --data /data
            .Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        services.AddConfiguredHotStore(configuration);
        services.AddColdTier();
        services.AddK2Schedules();
        using var provider = services.BuildServiceProvider();

        HotStoreTransport.Name(configuration).ShouldBe(HotStoreTransport.Http);
        provider.GetRequiredService<IOptions<ClickHouseHttpOptions>>().Value.Url.ShouldBe(new Uri("http://clickhouse:8123/"));
        var state = provider.GetRequiredService<IOptions<StateDatabaseOptions>>().Value;
        state.Kind.ShouldBe(StateDatabaseKind.Postgres);
        // The reminders stay in the SQLite state database of the data volume until the PostgreSQL reminder table comes.
        state.SqlitePath.ShouldBe(Path.Combine("/data", "state", "k2.db"));
        provider.GetRequiredService<IOptions<SchedulesOptions>>().Value.Enabled.ShouldBeTrue();
        var warehouse = provider.GetRequiredService<IOptions<WarehouseOptions>>().Value;
        warehouse.Kind.ShouldBe(WarehouseKind.S3);
        var store = provider.GetRequiredService<IObjectStore>().ShouldBeOfType<S3ObjectStore>();
        store.EnforcesCreateOnly.ShouldBeFalse();
        store.LocationOf("cold/silver_trades").ShouldBe("http://minio:9000/k2-warehouse/cold/silver_trades");

        var clickHouseS3 = XDocument.Load(Path.Combine(RepositoryPaths.Root, "docker", "clickhouse", "config.d", "warehouse-s3.xml"))
            .Root!.Element("s3")!.Elements().Single();
        clickHouseS3.Element("endpoint")!.Value.ShouldBe($"{warehouse.S3.ServiceUrl}{warehouse.S3.Bucket}/");
        clickHouseS3.Element("access_key_id")!.Value.ShouldBe(warehouse.S3.AccessKey);
        clickHouseS3.Element("secret_access_key")!.Value.ShouldBe(warehouse.S3.SecretKey);
    }
}
