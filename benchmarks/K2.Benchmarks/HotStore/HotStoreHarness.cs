using System.Globalization;
using K2.Core.Trades;
using K2.Storage;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.RowBinary;
using K2.Storage.Hosting;
using K2.Storage.Trades;
using K2.Storage.Writers;
using K2.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Benchmarks.HotStore;

/// <summary>
/// The hot store wired as the silo wires it (<see cref="HotStoreTransport.AddConfiguredHotStore"/>, with the default
/// <see cref="BatchedWriterOptions"/> unless a run overrides the batch size), on a fresh ClickHouse in a temporary
/// directory that is removed on dispose: embedded in this process, or, for the <c>http</c> transport, the chDB-backed
/// ClickHouse HTTP endpoint as a process of its own (so this process holds only the client side). Migrations run and the silver writer starts; the bronze writers are registered but get no rows.
/// </summary>
internal sealed class HotStoreHarness : IAsyncDisposable
{
    private readonly string _directory;
    private readonly ServiceProvider _services;
    private readonly ClickHouseEndpointProcess? _endpoint;

    private HotStoreHarness(string directory, ServiceProvider services, WriterMetricsRecorder metrics, ClickHouseEndpointProcess? endpoint)
    {
        _directory = directory;
        _services = services;
        _endpoint = endpoint;
        Metrics = metrics;
        Client = services.GetRequiredService<IClickHouseClient>();
        Database = services.GetRequiredService<HotStoreOptions>().Database;
        WriterOptions = services.GetRequiredService<BatchedWriterOptions>();
        Writer = services.GetRequiredService<BatchedTableWriter<Trade>>();
    }

    public IClickHouseClient Client { get; }

    public string Database { get; }

    public BatchedWriterOptions WriterOptions { get; }

    public BatchedTableWriter<Trade> Writer { get; }

    public WriterMetricsRecorder Metrics { get; }

    /// <summary>The endpoint process's CPU time so far; zero for the embedded store, which runs in this process.</summary>
    public TimeSpan EndpointCpu()
    {
        if (_endpoint is null)
        {
            return TimeSpan.Zero;
        }

        using var process = System.Diagnostics.Process.GetProcessById(_endpoint.Id);
        return process.TotalProcessorTime;
    }

    /// <summary>
    /// Starts the store on <paramref name="transport"/> (a <see cref="HotStoreTransport"/> name).
    /// <paramref name="maxBatchRows"/> overrides <see cref="BatchedWriterOptions.MaxBatchRows"/> through configuration,
    /// as <c>K2:Storage:Writers:MaxBatchRows</c> would; null keeps the default.
    /// </summary>
    public static async Task<HotStoreHarness> StartAsync(long? maxBatchRows, string transport, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"k2-bench-{Guid.NewGuid():N}");
        var settings = new Dictionary<string, string?> { [HotStoreTransport.ConfigurationKey] = transport };
        ClickHouseEndpointProcess? endpoint = null;
        if (transport == HotStoreTransport.Embedded)
        {
            settings["K2:Storage:Embedded:DataPath"] = Path.Combine(directory, "hot");
        }
        else
        {
            Directory.CreateDirectory(directory);
            endpoint = await ClickHouseEndpointProcess.StartAsync(Path.Combine(directory, "hot"), directory, cancellationToken);
            settings["K2:Storage:Http:Url"] = endpoint.Url.ToString();
            settings["K2:Storage:Http:User"] = ChdbHttpEndpoint.DefaultUser;
            settings["K2:Storage:Http:Password"] = ChdbHttpEndpoint.DefaultPassword;
        }

        if (maxBatchRows is { } rows)
        {
            settings["K2:Storage:Writers:MaxBatchRows"] = rows.ToString(CultureInfo.InvariantCulture);
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var metrics = new WriterMetricsRecorder();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddConfiguredHotStore(configuration)
            .BuildServiceProvider();
        try
        {
            var harness = new HotStoreHarness(directory, services, metrics, endpoint);
            await services.GetRequiredService<HotStoreInitializer>().StartAsync(cancellationToken);
            await harness.Writer.StartAsync(cancellationToken);
            return harness;
        }
        catch
        {
            await services.DisposeAsync();
            metrics.Dispose();
            if (endpoint is not null)
            {
                await endpoint.DisposeAsync();
            }

            DeleteDirectory(directory);
            throw;
        }
    }

    /// <summary>Rows in <c>silver_trades</c> as a query sees them now.</summary>
    public Task<ulong> CountSilverTradesAsync(CancellationToken cancellationToken) =>
        Client.QueryAsync(
            $"SELECT count() FROM {Database}.{SilverTradesTable.TableName}", null, ClickHouseFormats.RowBinary,
            static data => new RowBinaryReader(data).ReadUInt64(), cancellationToken);

    /// <summary>Drains the writer, closes the engine (or stops the endpoint process) and removes its data directory.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await Writer.StopAsync(CancellationToken.None);
        }
        finally
        {
            await _services.DisposeAsync();
            Metrics.Dispose();
            if (_endpoint is not null)
            {
                await _endpoint.StopAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
                await _endpoint.DisposeAsync();
            }

            DeleteDirectory(_directory);
        }
    }

    private static void DeleteDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
