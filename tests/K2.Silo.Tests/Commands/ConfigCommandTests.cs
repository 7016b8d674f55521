using K2.Silo.Commands;
using K2.Testing;

namespace K2.Silo.Tests.Commands;

/// <summary>
/// Configuration layers, lowest first: the <c>./data</c> defaults, appsettings.json, the environment, the command line.
/// <c>k2 config</c> shows each key's value and layer, and checks the whole configuration as <c>k2 run</c> does.
/// </summary>
public sealed class ConfigCommandTests
{
    private static readonly string[] DataPathKeys =
        ["K2:State:SqlitePath", "K2:Storage:Embedded:DataPath", "K2:Warehouse:Path"];

    private static Dictionary<string, (string Value, string Source)> Settings(CliResult result)
    {
        result.ExitCode.ShouldBe(ExitCodes.Success, result.Error);
        result.Error.ShouldBeEmpty();
        return result.OutputLines.Select(line =>
        {
            var equals = line.IndexOf(" = ", StringComparison.Ordinal);
            var source = line.LastIndexOf("  (", StringComparison.Ordinal);
            return (Key: line[..equals], Value: line[(equals + 3)..source], Source: line[(source + 3)..^1]);
        }).ToDictionary(s => s.Key, s => (s.Value, s.Source));
    }

    private static (string, string)[] DataPaths(Dictionary<string, (string Value, string Source)> settings) =>
        [.. DataPathKeys.Select(k => settings[k])];

    private static (string, string)[] Expected(string directory, string source) =>
    [
        (Path.Combine(directory, "state", "k2.db"), source),
        (Path.Combine(directory, "hot"), source),
        (Path.Combine(directory, "warehouse"), source),
    ];

    [Fact]
    public async Task Without_data_or_settings_the_stores_live_under_data_in_the_current_directory()
    {
        using var cwd = new TempDirectory("k2-config");

        var settings = Settings(await K2Cli.RunAsync(["config"], cwd.Path));

        DataPaths(settings).ShouldBe(Expected(Path.Combine(cwd.Path, "data"), "default"));
        settings["K2:Storage:Writers:MaxBatchRows"].ShouldBe(("10000", "appsettings.json"));
        settings["K2:Exchanges:Binance:Enabled"].ShouldBe(("True", "appsettings.json"));
    }

    [Fact]
    public async Task Data_paths_in_the_environment_win_over_the_default_data_directory()
    {
        using var cwd = new TempDirectory("k2-config");
        var environment = new Dictionary<string, string>
        {
            ["K2__Storage__Embedded__DataPath"] = "/srv/k2/hot-ssd",
            ["K2__Warehouse__Path"] = "/mnt/lake/k2",
            ["K2__State__SqlitePath"] = "/var/lib/k2/state.db",
        };

        var settings = Settings(await K2Cli.RunAsync(["config"], cwd.Path, environment));

        DataPaths(settings).ShouldBe([
            ("/var/lib/k2/state.db", "environment"),
            ("/srv/k2/hot-ssd", "environment"), ("/mnt/lake/k2", "environment")]);
    }

    [Fact]
    public async Task Admin_api_keys_are_shown_as_set_but_never_as_their_text()
    {
        using var cwd = new TempDirectory("k2-config");
        const string key = "config-key-0123456789abcdef";
        var environment = new Dictionary<string, string>
        {
            ["K2__Api__Admin__Keys__0__Name"] = "ops",
            ["K2__Api__Admin__Keys__0__Key"] = key,
        };

        var result = await K2Cli.RunAsync(["config"], cwd.Path, environment);
        var settings = Settings(result);

        settings["K2:Api:Admin:Keys:0:Name"].ShouldBe(("ops", "environment"));
        settings["K2:Api:Admin:Keys:0:Key"].ShouldBe(("(secret, not shown)", "environment"));
        result.Output.ShouldNotContain(key);
    }

    [Fact]
    public async Task Data_on_the_command_line_wins_over_the_environment()
    {
        using var cwd = new TempDirectory("k2-config");
        var data = Path.Combine(cwd.Path, "given");
        var environment = new Dictionary<string, string>
        {
            ["K2__Storage__Embedded__DataPath"] = "/srv/k2/hot-ssd",
            ["K2__Warehouse__Path"] = "/mnt/lake/k2",
            ["K2__State__SqlitePath"] = "/var/lib/k2/state.db",
        };

        var settings = Settings(await K2Cli.RunAsync(["config", "--data", data], cwd.Path, environment));

        DataPaths(settings).ShouldBe(Expected(data, "command line"));
    }

    [Fact]
    public async Task The_environment_wins_over_appsettings_for_storage_exchange_and_ingest_keys()
    {
        using var cwd = new TempDirectory("k2-config");
        var environment = new Dictionary<string, string>
        {
            ["K2__Storage__Writers__MaxBatchRows"] = "20000",
            ["K2__Storage__Writers__FlushInterval"] = "00:00:00.500",
            ["K2__Exchanges__Binance__Enabled"] = "false",
            ["K2__Ingest__GapGrace"] = "00:00:05",
        };

        var settings = Settings(await K2Cli.RunAsync(["config"], cwd.Path, environment));

        settings["K2:Storage:Writers:MaxBatchRows"].ShouldBe(("20000", "environment"));
        settings["K2:Storage:Writers:FlushInterval"].ShouldBe(("00:00:00.500", "environment"));
        settings["K2:Exchanges:Binance:Enabled"].ShouldBe(("false", "environment"));
        settings["K2:Ingest:GapGrace"].ShouldBe(("00:00:05", "environment"));
        settings["K2:Storage:Transport"].ShouldBe(("embedded", "appsettings.json"), "a key the environment does not set keeps its file value");
    }

    [Fact]
    public async Task Credentials_are_never_printed()
    {
        using var cwd = new TempDirectory("k2-config");
        var environment = new Dictionary<string, string>
        {
            ["K2__Storage__Http__Password"] = "hunter2",
            ["K2__Warehouse__S3__SecretKey"] = "s3cr3t",
            ["K2__State__PostgresConnectionString"] = "Host=db;Password=pg-secret",
        };

        var result = await K2Cli.RunAsync(["config"], cwd.Path, environment);
        var settings = Settings(result);

        settings["K2:Storage:Http:Password"].ShouldBe((ConfigCommand.Masked, "environment"));
        settings["K2:Warehouse:S3:SecretKey"].ShouldBe((ConfigCommand.Masked, "environment"));
        settings["K2:State:PostgresConnectionString"].ShouldBe((ConfigCommand.Masked, "environment"));
        result.Output.ShouldNotContain("hunter2");
        result.Output.ShouldNotContain("s3cr3t");
        result.Output.ShouldNotContain("pg-secret");
    }

    [Theory]
    [InlineData("K2__Storage__Embedded__QueryConnections", "-3", "K2:Storage:Embedded: QueryConnections must be at least 1 (is -3).")]
    [InlineData("K2__Storage__Writers__MaxBatchRows", "-5", "K2:Storage:Writers: MaxBatchRows must be at least 1 (is -5).")]
    [InlineData("K2__Storage__Writers__MaxBacklogBatchRows", "0", "K2:Storage:Writers: MaxBacklogBatchRows must be at least 1 (is 0).")]
    [InlineData("K2__Storage__Writers__MaxBatchRows", "lots", "Failed to convert configuration value 'lots' at 'K2:Storage:Writers:MaxBatchRows' to type 'System.Int32'.")]
    [InlineData("K2__Storage__Database", "K2-Prod", "K2:Storage: Database must be a lower-case identifier of at most 63 characters (is 'K2-Prod').")]
    [InlineData("K2__Exchanges__Binance__MaxOutgoingMessagesPerSecond", "10", "K2:Exchanges:Binance: MaxOutgoingMessagesPerSecond must be between 1 and 5, Binance's limit a second (is 10).")]
    [InlineData("K2__Exchanges__Kraken__WebSocketUri", "https://ws.kraken.com/v2", "K2:Exchanges:Kraken: WebSocketUri must be an absolute wss or ws URL (is 'https://ws.kraken.com/v2').")]
    [InlineData("K2__Exchanges__Coinbase__StaleAfter", "00:00:00", "K2:Exchanges:Coinbase: StaleAfter must be positive and finite (is 00:00:00).")]
    [InlineData("K2__Ingest__MaxBackfillAttempts", "0", "K2:Ingest: MaxBackfillAttempts must be at least 1 (is 0).")]
    [InlineData("K2__Warehouse__Kind", "glacier", "Failed to convert configuration value 'glacier' at 'K2:Warehouse:Kind' to type 'K2.Storage.ObjectStores.WarehouseKind'.")]
    [InlineData("K2__State__Kind", "Postgres", "K2:State: PostgresConnectionString must not be empty.")]
    [InlineData("K2__Offload__MaxRowsPerCommit", "0", "K2:Offload: MaxRowsPerCommit must be at least 1 (is 0).")]
    [InlineData("K2__Ingest__CandleSettleAfter", "00:00:00", "K2:Ingest: CandleSettleAfter must be positive and finite (is 00:00:00).")]
    [InlineData("K2__Cluster__Membership", "Kubernetes", "Failed to convert configuration value 'Kubernetes' at 'K2:Cluster:Membership' to type 'K2.Grains.Cluster.ClusterMembership'.")]
    [InlineData("K2__Maintenance__OrphanGracePeriod", "00:05:00", "K2:Maintenance: OrphanGracePeriod must be at least 01:00:00, or files of a running offload could be removed (is 00:05:00).")]
    public async Task A_bad_setting_is_named_with_exit_code_2(string variable, string value, string message)
    {
        using var cwd = new TempDirectory("k2-config");

        var result = await K2Cli.RunAsync(["config"], cwd.Path, new Dictionary<string, string> { [variable] = value });

        result.ExitCode.ShouldBe(ExitCodes.BadConfiguration);
        result.ErrorLines.ShouldBe([$"k2 config: invalid configuration: {message}"]);
    }

    [Fact]
    public async Task A_cluster_silo_needs_an_IP_address_its_peers_can_reach()
    {
        using var cwd = new TempDirectory("k2-config");
        var environment = new Dictionary<string, string>
        {
            ["K2__Cluster__Membership"] = "Postgres",
            ["K2__Cluster__AdvertisedAddress"] = "localhost",
            ["K2__State__Kind"] = "Postgres",
            ["K2__State__PostgresConnectionString"] = "Host=db;Username=k2;Database=k2",
        };

        var result = await K2Cli.RunAsync(["config"], cwd.Path, environment);

        result.ExitCode.ShouldBe(ExitCodes.BadConfiguration);
        result.ErrorLines.ShouldBe(
            ["k2 config: invalid configuration: K2:Cluster: AdvertisedAddress must be the IP address other silos reach this one at, e.g. the pod's IP (is 'localhost')."]);
    }
}
