using K2.Storage.ObjectStores;
using K2.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace K2.Storage.Tests.ObjectStores;

/// <summary><c>K2:Warehouse</c> configuration picks and configures the store, and refuses settings that cannot work.</summary>
public sealed class WarehouseRegistrationTests : IDisposable
{
    private readonly TempDirectory _directory = new("k2-warehouse");

    public void Dispose() => _directory.Dispose();

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddWarehouseObjectStore();
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Kind_local_gives_a_directory_store_at_the_path()
    {
        using var provider = Build(new() { ["K2:Warehouse:Kind"] = "local", ["K2:Warehouse:Path"] = _directory.Path });

        var store = provider.GetRequiredService<IObjectStore>().ShouldBeOfType<LocalDirectoryObjectStore>();

        store.Root.ShouldBe(_directory.Path);
    }

    [Fact]
    public void Kind_s3_gives_an_S3_store_on_the_bucket_under_the_prefix()
    {
        using var provider = Build(new()
        {
            ["K2:Warehouse:Kind"] = "s3",
            ["K2:Warehouse:S3:ServiceUrl"] = "http://minio:9000",
            ["K2:Warehouse:S3:Bucket"] = "lake",
            ["K2:Warehouse:S3:AccessKey"] = "k2",
            ["K2:Warehouse:S3:SecretKey"] = "secret",
            ["K2:Warehouse:S3:Prefix"] = "k2",
        });

        var store = provider.GetRequiredService<IObjectStore>().ShouldBeOfType<S3ObjectStore>();

        store.LocationOf("cold/t/a.parquet").ShouldBe("http://minio:9000/lake/k2/cold/t/a.parquet");
        store.EnforcesCreateOnly.ShouldBeTrue();
    }

    [Fact]
    public void CreateOnlyPuts_false_gives_a_store_that_does_not_count_on_If_None_Match()
    {
        using var provider = Build(new()
        {
            ["K2:Warehouse:Kind"] = "s3",
            ["K2:Warehouse:S3:ServiceUrl"] = "http://minio:9000",
            ["K2:Warehouse:S3:Bucket"] = "lake",
            ["K2:Warehouse:S3:AccessKey"] = "k2",
            ["K2:Warehouse:S3:SecretKey"] = "secret",
            ["K2:Warehouse:S3:CreateOnlyPuts"] = "false",
        });

        provider.GetRequiredService<IObjectStore>().EnforcesCreateOnly.ShouldBeFalse();
    }

    [Fact]
    public void Unusable_S3_settings_are_refused_naming_each_one()
    {
        using var provider = Build(new()
        {
            ["K2:Warehouse:Kind"] = "s3",
            ["K2:Warehouse:S3:ServiceUrl"] = "ftp://minio",
            ["K2:Warehouse:S3:Prefix"] = "../up",
            ["K2:Warehouse:S3:MultipartPartSizeBytes"] = "1000",
        });

        var error = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IOptions<WarehouseOptions>>().Value);

        error.Failures.ShouldBe(
        [
            "K2:Warehouse: S3:ServiceUrl must be an absolute http or https URL (is 'ftp://minio/').",
            "K2:Warehouse: S3:Bucket must not be empty.",
            "K2:Warehouse: S3:AccessKey must not be empty.",
            "K2:Warehouse: S3:SecretKey must not be empty.",
            "K2:Warehouse: S3:Prefix is not a valid folder: Invalid object key '../up': segment '..' starts with '.' ('.' and '..' are not allowed).",
            "K2:Warehouse: S3:MultipartPartSizeBytes must be at least 5242880 (5 MiB, S3's minimum; is 1000).",
        ]);
    }

    [Fact]
    public void A_local_warehouse_needs_a_path()
    {
        using var provider = Build(new() { ["K2:Warehouse:Kind"] = "local" });

        Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IOptions<WarehouseOptions>>().Value)
            .Failures.ShouldBe(["K2:Warehouse: Path must name the warehouse directory when Kind is local."]);
    }
}
