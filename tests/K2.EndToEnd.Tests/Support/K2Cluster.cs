using System.Globalization;
using System.Text;
using System.Text.Json;
using K2.Core;
using K2.Core.Instruments;
using K2.Simulator;
using K2.Testing;

namespace K2.EndToEnd.Tests.Support;

/// <summary>
/// K2 as a cluster on loopback: <c>k2</c> silo processes sharing PostgreSQL (membership, reminders, catalog, run log),
/// one ClickHouse (the chDB-backed HTTP endpoint as its own process), an S3 warehouse (s3rver) and the exchange
/// simulator on every exchange with two shards each, so the shards have somewhere to spread. Silos can be added,
/// killed, hung and stopped; disposing stops everything.
/// </summary>
internal sealed class K2Cluster : IAsyncDisposable
{
    public const int ShardsPerExchange = 2;
    public static readonly Exchange[] Exchanges = [Exchange.Binance, Exchange.Kraken, Exchange.Coinbase];
    public static readonly InstrumentRegistry Registry = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);
    public static readonly int ShardCount = Exchanges.Length * ShardsPerExchange;

    private readonly TempDirectory _data;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly HttpClient _clickHouseHttp = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly List<ClusterSilo> _silos = [];
    private readonly List<ClusterSilo> _stopped = [];

    private K2Cluster(
        TempDirectory data, PostgresServer postgres, ClickHouseEndpointProcess clickHouse, S3rverFixture warehouse,
        ExchangeSimulator simulator, string stateConnectionString, IReadOnlyDictionary<string, string> settings)
    {
        _data = data;
        StateConnectionString = stateConnectionString;
        Postgres = postgres;
        ClickHouse = clickHouse;
        Warehouse = warehouse;
        Simulator = simulator;
        _settings = settings;
        _clickHouseHttp.DefaultRequestHeaders.Add("X-ClickHouse-User", ChdbHttpEndpoint.DefaultUser);
        _clickHouseHttp.DefaultRequestHeaders.Add("X-ClickHouse-Key", ChdbHttpEndpoint.DefaultPassword);
    }

    public PostgresServer Postgres { get; }

    /// <summary>The database every silo keeps its state in: membership, reminders, catalog, run log.</summary>
    public string StateConnectionString { get; }

    public ClickHouseEndpointProcess ClickHouse { get; }

    public S3rverFixture Warehouse { get; }

    public ExchangeSimulator Simulator { get; }

    public IReadOnlyList<ClusterSilo> Silos => _silos;

    /// <summary>
    /// Starts the services and the simulator (paused), then <paramref name="silos"/> silos at once, and waits until each
    /// is ready. <paramref name="settings"/> (environment variables) go to every silo, over the cluster's own.
    /// </summary>
    public static async Task<K2Cluster> StartAsync(
        int silos, SimulatorOptions simulatorOptions, IReadOnlyDictionary<string, string> settings, CancellationToken ct)
    {
        // Below the working directory, as every K2 data directory a chDB process may read from.
        var data = TempDirectory.BelowWorkingDirectory("k2-cluster");
        PostgresServer? postgres = null;
        ClickHouseEndpointProcess? clickHouse = null;
        S3rverFixture? warehouse = null;
        ExchangeSimulator? simulator = null;
        try
        {
            postgres = await PostgresServer.StartAsync();
            var state = await postgres.CreateDatabaseAsync(ct);
            clickHouse = await ClickHouseEndpointProcess.StartAsync(
                Directory.CreateDirectory(Path.Combine(data.Path, "clickhouse")).FullName, data.Path, ct);
            warehouse = new S3rverFixture();
            simulatorOptions.StartPaused = true;
            simulator = await ExchangeSimulator.StartAsync(simulatorOptions, Registry, null, ct);
            var environment = Environment(simulator, state, clickHouse, warehouse);
            foreach (var (key, value) in settings)
            {
                environment[key] = value;
            }

            var cluster = new K2Cluster(data, postgres, clickHouse, warehouse, simulator, state, environment);
            for (var i = 0; i < silos; i++)
            {
                cluster.AddSilo();
            }

            await Task.WhenAll(cluster._silos.Select(s => s.Process.WaitUntilReadyAsync(TimeSpan.FromSeconds(120), ct)));
            return cluster;
        }
        catch
        {
            if (simulator is not null)
            {
                await simulator.DisposeAsync();
            }

            warehouse?.Dispose();
            if (clickHouse is not null)
            {
                await clickHouse.DisposeAsync();
            }

            if (postgres is not null)
            {
                await postgres.DisposeAsync();
            }

            data.Dispose();
            throw;
        }
    }

    /// <summary>Starts one more silo on ports of its own; it is not waited for.</summary>
    public ClusterSilo AddSilo()
    {
        var number = _silos.Count + 1;
        var siloPort = FreePort.Next();
        var gatewayPort = FreePort.Next();
        var environment = new Dictionary<string, string>(_settings)
        {
            ["K2__Cluster__SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
            ["K2__Cluster__GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture),
        };
        var directory = Directory.CreateDirectory(Path.Combine(_data.Path, $"silo{number}")).FullName;
        var silo = new ClusterSilo(number, siloPort, directory, environment, K2Process.Start(directory, [], environment));
        _silos.Add(silo);
        return silo;
    }

    /// <summary>
    /// Stops <paramref name="silo"/> with SIGTERM, as a rolling update does, asserting a clean exit, and starts it again on
    /// the same ports; waits until the new process is ready. Returns the new silo, which replaces the old in <see cref="Silos"/>.
    /// </summary>
    public async Task<ClusterSilo> RestartAsync(ClusterSilo silo, CancellationToken ct)
    {
        (await silo.Process.StopAsync(TimeSpan.FromSeconds(90), ct)).ShouldBe(0, $"{silo} did not stop cleanly:{System.Environment.NewLine}{silo.Process.Output}");
        var restarted = silo with { Process = K2Process.Start(silo.DataDirectory, [], silo.Environment) };
        _silos[_silos.IndexOf(silo)] = restarted;
        _stopped.Add(silo);
        await restarted.Process.WaitUntilReadyAsync(TimeSpan.FromSeconds(120), ct);
        return restarted;
    }

    /// <summary>Silos replaced by a restart, whose output a failing test still shows.</summary>
    public IReadOnlyList<ClusterSilo> Stopped => _stopped;

    /// <summary>The silos whose processes are still running.</summary>
    public IEnumerable<ClusterSilo> Running => _silos.Where(s => !s.Process.HasExited);

    /// <summary>Every shard's session as <c>/v1/status</c> of <paramref name="silo"/> reports it (each from its grain, wherever it runs).</summary>
    public static Task<IReadOnlyList<ShardSession>> ShardsAsync(ClusterSilo silo, CancellationToken ct) => ShardsAsync(silo.Process, ct);

    /// <summary>Every shard's session as <c>/v1/status</c> of <paramref name="process"/> (a silo or the standalone API) reports it.</summary>
    public static async Task<IReadOnlyList<ShardSession>> ShardsAsync(K2Process process, CancellationToken ct)
    {
        var status = await process.GetJsonAsync("/v1/status", ct);
        return [.. status.GetProperty("exchanges").EnumerateArray().Select(e => new ShardSession(
            e.GetProperty("shard").GetString()!,
            e.GetProperty("silo").GetString(),
            e.GetProperty("connected").GetBoolean(),
            e.GetProperty("subscribed_streams").GetInt32(),
            Time(e, "last_frame_at"),
            Time(e, "first_frame_at")))];

        static DateTimeOffset? Time(JsonElement session, string name) =>
            session.GetProperty(name).ValueKind == JsonValueKind.Null ? null : session.GetProperty(name).GetDateTimeOffset();
    }

    /// <summary>The silo an Orleans silo address (<c>S127.0.0.1:11111:123456789</c>) names, by its silo port.</summary>
    public ClusterSilo? SiloAt(string? siloAddress) =>
        siloAddress is null ? null : _silos.LastOrDefault(s => siloAddress.Contains($":{s.SiloPort}:", StringComparison.Ordinal));

    /// <summary>Runs <paramref name="sql"/> on the cluster's ClickHouse and returns its TabSeparated answer.</summary>
    public async Task<string> ClickHouseTextAsync(string sql, CancellationToken ct)
    {
        using var content = new StringContent(sql, Encoding.UTF8);
        using var response = await _clickHouseHttp.PostAsync(new Uri(ClickHouse.Url, "?default_format=TabSeparated"), content, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        return response.IsSuccessStatusCode ? body : throw new InvalidOperationException($"ClickHouse refused '{sql}': {body}");
    }

    /// <summary>Each symbol's printed trade ids, by exchange.</summary>
    public Dictionary<Exchange, Dictionary<string, List<string>>> Printed() =>
        Exchanges.ToDictionary(e => e, e => Registry.ForExchange(e).ToDictionary(
            i => i.Symbol,
            i => Simulator.GroundTruth.For(e, i.ExchangeSymbol).Select(t => t.TradeId.ToString(CultureInfo.InvariantCulture)).ToList()));

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos.Concat(_stopped))
        {
            await silo.Process.DisposeAsync();
        }

        await Simulator.DisposeAsync();
        Warehouse.Dispose();
        await ClickHouse.DisposeAsync();
        await Postgres.DisposeAsync();
        _clickHouseHttp.Dispose();
        _data.Dispose();
    }

    private static Dictionary<string, string> Environment(
        ExchangeSimulator simulator, string state, ClickHouseEndpointProcess clickHouse, S3rverFixture warehouse)
    {
        var settings = K2Process.AsEnvironment(simulator.K2Settings);
        settings["K2__Cluster__Membership"] = "Postgres";
        settings["K2__Cluster__AdvertisedAddress"] = "127.0.0.1";
        settings["K2__State__Kind"] = "Postgres";
        settings["K2__State__PostgresConnectionString"] = state;
        ChdbHttpEndpoint.AddK2Environment(settings, clickHouse.Url);
        foreach (var exchange in Exchanges)
        {
            var name = exchange.ToName();
            var section = $"K2__Exchanges__{char.ToUpperInvariant(name[0])}{name[1..]}";
            settings[$"{section}__Enabled"] = "true";
            settings[$"{section}__Shards"] = ShardsPerExchange.ToString(CultureInfo.InvariantCulture);
        }

        // Coinbase allows 8 messages a second per IP, which two shards on one silo share.
        settings["K2__Exchanges__Coinbase__MaxOutgoingMessagesPerSecond"] = "4";

        warehouse.AddK2Environment(settings);
        return settings;
    }
}

/// <summary>One silo process of a <see cref="K2Cluster"/>, numbered from 1: the Orleans silo port it listens on, its data directory and environment.</summary>
internal sealed record ClusterSilo(int Number, int SiloPort, string DataDirectory, IReadOnlyDictionary<string, string> Environment, K2Process Process)
{
    public override string ToString() => $"silo {Number} (pid {Process.Id}, port {SiloPort})";
}

/// <summary>
/// One exchange shard's session as the status reports it; <paramref name="FirstFrameAt"/> is when the shard's current
/// activation began streaming.
/// </summary>
internal sealed record ShardSession(string Shard, string? Silo, bool Connected, int SubscribedStreams, DateTimeOffset? LastFrameAt, DateTimeOffset? FirstFrameAt);
