using System.Net;
using K2.Storage.Hosting;
using K2.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Browser.Tests.Support;

/// <summary>
/// The standalone API program on a real Kestrel socket at 127.0.0.1 (a browser cannot use the in-memory test server),
/// with its embedded hot store in a temp directory: one per test process, since chDB allows one data path per process.
/// </summary>
public sealed class ApiServer : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly TempDirectory _data = new("k2-browser-api");

    public ApiServer() => UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));

    /// <summary>Where the server listens, such as <c>http://127.0.0.1:41234</c>.</summary>
    public Uri Origin { get; private set; } = null!;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in DataDirectoryLayout.Settings(_data.Path))
        {
            builder.UseSetting(key, value);
        }

        builder.UseSetting("K2:Storage:Database", "k2_browser_tests");
        builder.UseSetting("K2:Instruments:Path", RepositoryPaths.InstrumentsFile);
    }

    public ValueTask InitializeAsync()
    {
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        Origin = new Uri(addresses.Single());
        return ValueTask.CompletedTask;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _data.Dispose();
    }
}
