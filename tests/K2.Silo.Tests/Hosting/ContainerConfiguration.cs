using System.Text;
using K2.Api.Hosting;
using K2.Core.Instruments;
using K2.Grains.Cluster;
using K2.Silo.Cluster;
using K2.Silo.Hosting;
using K2.Storage.Hosting;
using K2.Storage.Iceberg.Catalog;
using K2.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace K2.Silo.Tests.Hosting;

/// <summary>
/// Binds the settings a container gets (docker-compose's environment, or a pod's ConfigMap appsettings and environment)
/// to the silo's or the standalone API's host, built as <c>k2 run</c> and k2-api build theirs, and checks them with the
/// validators that stop either process at start (<see cref="ConfigurationProblems"/>). Nothing is started.
/// </summary>
internal static class ContainerConfiguration
{
    /// <summary>The data directory the images run k2 with (docker/Dockerfile: <c>k2 run --data /data</c>).</summary>
    public const string ImageDataDirectory = "/data";

    /// <summary>
    /// The configuration keys the layers give, lowest first: each appsettings JSON, then the environment (as .NET's
    /// environment-variables provider reads it: <c>K2__A__B</c> is <c>K2:A:B</c>; other variables keep their names).
    /// </summary>
    public static Dictionary<string, string?> Settings(IEnumerable<string> appsettingsJson, IReadOnlyDictionary<string, string?> environment)
    {
        var builder = new ConfigurationBuilder();
        foreach (var json in appsettingsJson)
        {
            builder.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        }

        var settings = builder.Build().AsEnumerable().Where(e => e.Value is not null).ToDictionary(e => e.Key, e => e.Value, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in environment)
        {
            settings[name.Replace("__", ":", StringComparison.Ordinal)] = value;
        }

        return settings;
    }

    /// <summary>
    /// The silo's host over the image's appsettings.json (the test binary's copy of src/K2.Silo/appsettings.json) and
    /// <paramref name="settings"/>, with the registry in <paramref name="instrumentsFile"/>, and what is wrong with it.
    /// </summary>
    public static BoundHost Silo(IReadOnlyDictionary<string, string?> settings, string instrumentsFile)
    {
        var siloSettings = new SiloSettings(ImageDataDirectory, "http://0.0.0.0:8080", Simulate: false, InstrumentsPath: instrumentsFile);
        var app = SiloHost.Build(siloSettings, InstrumentRegistryLoader.LoadFile(instrumentsFile), simulator: null, overrides: settings);
        return new BoundHost(app, ConfigurationProblems.Find(app.Services), null);
    }

    /// <summary>
    /// k2-api's host over <paramref name="settings"/> alone, as in its image (which has no appsettings.json: its content
    /// root here is an empty directory; without K2:Instruments:Path it reads the registry next to its binary, as there),
    /// and what is wrong with it.
    /// </summary>
    public static BoundHost Api(IReadOnlyDictionary<string, string?> settings)
    {
        var contentRoot = new TempDirectory("k2-api-content-root");
        var app = StandaloneApiHost.Build(["--contentRoot", contentRoot.Path], settings);
        return new BoundHost(app, ConfigurationProblems.Find(app.Services), contentRoot);
    }
}

/// <summary>A built, never started host and the configuration problems its start would stop at.</summary>
internal sealed class BoundHost(WebApplication app, IReadOnlyList<string> problems, IDisposable? owned) : IAsyncDisposable
{
    public WebApplication App { get; } = app;

    public IReadOnlyList<string> Problems { get; } = problems;

    public IServiceProvider Services => App.Services;

    /// <summary>Asserts that this host, an API, is a client of <paramref name="silo"/>'s cluster: the same membership, ids and membership database.</summary>
    public void ShouldBeClientOf(BoundHost silo)
    {
        var client = Services.GetRequiredService<IOptions<ClusterConnectionOptions>>().Value;
        var siloCluster = silo.Services.GetRequiredService<IOptions<SiloClusterOptions>>().Value;
        (client.Membership, client.ClusterId, client.ServiceId).ShouldBe((siloCluster.Membership, siloCluster.ClusterId, siloCluster.ServiceId));
        client.MembershipConnectionString(Services.GetRequiredService<IOptions<StateDatabaseOptions>>().Value)
            .ShouldBe(siloCluster.MembershipConnectionString(silo.Services.GetRequiredService<IOptions<StateDatabaseOptions>>().Value));
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        owned?.Dispose();
    }
}
