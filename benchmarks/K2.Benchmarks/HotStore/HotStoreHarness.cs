using System.Globalization;
using K2.Core.Trades;
using K2.Storage;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.RowBinary;
using K2.Storage.Hosting;
using K2.Storage.Trades;
using K2.Storage.Writers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Benchmarks.HotStore;

/// <summary>
/// The hot store wired as the silo wires it (<see cref="HotStoreServiceCollectionExtensions.AddEmbeddedHotStore"/>, with
/// the default <see cref="BatchedWriterOptions"/> unless a run overrides the batch size), on a fresh embedded ClickHouse
/// in a temporary directory that is removed on dispose. Migrations run and the silver writer starts; the bronze writers are registered but get no rows.
/// </summary>
internal sealed class HotStoreHarness : IAsyncDisposable
{
    private readonly string _directory;
    private readonly ServiceProvider _services;

    private HotStoreHarness(string directory, ServiceProvider services, WriterMetricsRecorder metrics)
    {
        _directory = directory;
        _services = services;
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

    /// <summary>
    /// Starts the store. <paramref name="maxBatchRows"/> overrides <see cref="BatchedWriterOptions.MaxBatchRows"/>
    /// through configuration, as <c>K2:Storage:Writers:MaxBatchRows</c> would; null keeps the default.
    /// </summary>
    public static async Task<HotStoreHarness> StartAsync(long? maxBatchRows, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"k2-bench-{Guid.NewGuid():N}");
        var settings = new Dictionary<string, string?> { ["K2:Storage:Embedded:DataPath"] = Path.Combine(directory, "hot") };
        if (maxBatchRows is { } rows)
        {
            settings["K2:Storage:Writers:MaxBatchRows"] = rows.ToString(CultureInfo.InvariantCulture);
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var metrics = new WriterMetricsRecorder();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddEmbeddedHotStore()
            .BuildServiceProvider();
        try
        {
            var harness = new HotStoreHarness(directory, services, metrics);
            await services.GetRequiredService<HotStoreInitializer>().StartAsync(cancellationToken);
            await harness.Writer.StartAsync(cancellationToken);
            return harness;
        }
        catch
        {
            await services.DisposeAsync();
            metrics.Dispose();
            DeleteDirectory(directory);
            throw;
        }
    }

    /// <summary>Rows in <c>silver_trades</c> as a query sees them now.</summary>
    public Task<ulong> CountSilverTradesAsync(CancellationToken cancellationToken) =>
        Client.QueryAsync(
            $"SELECT count() FROM {Database}.{SilverTradesTable.TableName}", null, ClickHouseFormats.RowBinary,
            static data => new RowBinaryReader(data).ReadUInt64(), cancellationToken);

    /// <summary>Drains the writer, closes the engine and removes its data directory.</summary>
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
