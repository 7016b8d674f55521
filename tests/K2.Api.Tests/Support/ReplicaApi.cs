using K2.Storage.ClickHouse.Embedded;
using K2.Storage.Hosting;
using K2.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Api.Tests.Support;

/// <summary>
/// A second standalone API configured as a cluster replica: its hot store a ClickHouse server over HTTP (an endpoint
/// over the shared engine, since a process may open one engine only), its warehouse and catalog in a temp directory,
/// and the settings given to <see cref="StartAsync"/> on top.
/// </summary>
public sealed class ReplicaApi : IAsyncDisposable
{
    private readonly TempDirectory _data = new("k2-api-replica");

    private ReplicaApi(ChdbHttpEndpoint store, WebApplicationFactory<Program> factory)
    {
        Store = store;
        Factory = factory;
    }

    public ChdbHttpEndpoint Store { get; }

    public WebApplicationFactory<Program> Factory { get; }

    public static async Task<ReplicaApi> StartAsync(ApiFactory shared, string database, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var store = await ChdbHttpEndpoint.StartAsync(shared.Services.GetRequiredService<EmbeddedClickHouse>(), cancellationToken);
        ReplicaApi? replica = null;
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in DataDirectoryLayout.Settings(replica!._data.Path))
            {
                builder.UseSetting(key, value);
            }

            builder.UseSetting("K2:Storage:Database", database);
            builder.UseSetting("K2:Storage:Transport", "http");
            builder.UseSetting("K2:Storage:Http:Url", store.Url.ToString());
            builder.UseSetting("K2:Storage:Http:User", ChdbHttpEndpoint.DefaultUser);
            builder.UseSetting("K2:Storage:Http:Password", ChdbHttpEndpoint.DefaultPassword);
            builder.UseSetting("K2:Instruments:Path", RepositoryPaths.InstrumentsFile);
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
        replica = new ReplicaApi(store, factory);
        return replica;
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Store.DisposeAsync();
        _data.Dispose();
    }
}
