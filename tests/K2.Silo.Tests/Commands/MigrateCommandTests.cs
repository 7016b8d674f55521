using K2.Silo.Commands;
using K2.Storage.ClickHouse.Embedded;
using K2.Storage.Hosting;
using K2.Storage.Schema;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Silo.Tests.Commands;

/// <summary>
/// <c>k2 migrate</c> on both transports.
/// </summary>
[Collection(EmbeddedStoreCommands.Name)]
public sealed class MigrateCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(int ExitCode, string Output, string Error)> MigrateAsync(Dictionary<string, string?> configuration)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await MigrateCommand.RunAsync(configuration, output, error, Ct);
        return (exitCode, output.ToString(), error.ToString());
    }

    private static Dictionary<string, string?> Embedded(string dataDirectory) => new()
    {
        [DataDirectoryLayout.EmbeddedDataPathKey] = DataDirectoryLayout.EmbeddedDataPath(dataDirectory),
        ["K2:Storage:Database"] = "k2",
    };

    [Fact]
    public async Task Embedded_applies_every_migration_then_nothing_on_a_second_run()
    {
        using var data = new TempDirectory();

        var first = await MigrateAsync(Embedded(data.Path));
        var second = await MigrateAsync(Embedded(data.Path));

        first.ExitCode.ShouldBe(ExitCodes.Success, first.Error);
        foreach (var migration in HotStoreMigrations.All)
        {
            first.Output.ShouldContain($"applied {migration.Version} {migration.Name}\n");
        }

        first.Output.ShouldContain($"applied {HotStoreMigrations.All.Count} migration(s) to database k2 (embedded)");
        second.ExitCode.ShouldBe(ExitCodes.Success, second.Error);
        second.Output.ShouldNotContain("applied 1 ");
        second.Output.ShouldContain("database k2 (embedded) is current; nothing to apply");
        Directory.Exists(Path.Combine(data.Path, "hot")).ShouldBeTrue();
    }

    [Fact]
    public async Task Embedded_refuses_a_data_directory_that_is_already_open_and_says_so()
    {
        using var data = new TempDirectory();
        using var holder = EmbeddedClickHouse.Open(
            new EmbeddedClickHouseOptions { DataPath = DataDirectoryLayout.EmbeddedDataPath(data.Path) }, NullLogger<EmbeddedClickHouse>.Instance);

        var (exitCode, output, error) = await MigrateAsync(Embedded(data.Path));

        exitCode.ShouldBe(ExitCodes.StartFailed);
        error.ShouldContain("k2 migrate: the hot store failed");
        error.ShouldContain("embedded ClickHouse open");
        output.ShouldBeEmpty();
    }

    [Fact]
    public async Task Http_applies_the_migrations_on_the_server()
    {
        using var data = new TempDirectory();
        using var server = EmbeddedClickHouse.Open(
            new EmbeddedClickHouseOptions { DataPath = Path.Combine(data.Path, "server") }, NullLogger<EmbeddedClickHouse>.Instance);
        await using var endpoint = await ChdbHttpEndpoint.StartAsync(server, Ct);
        var configuration = new Dictionary<string, string?>
        {
            [HotStoreTransport.ConfigurationKey] = "http",
            ["K2:Storage:Database"] = "k2_cluster",
            ["K2:Storage:Http:Url"] = endpoint.Url.ToString(),
            ["K2:Storage:Http:User"] = ChdbHttpEndpoint.DefaultUser,
            ["K2:Storage:Http:Password"] = ChdbHttpEndpoint.DefaultPassword,
        };

        var (exitCode, output, error) = await MigrateAsync(configuration);

        exitCode.ShouldBe(ExitCodes.Success, error);
        output.ShouldContain($"applied {HotStoreMigrations.All.Count} migration(s) to database k2_cluster (http)");
        var recorded = await server.QueryAsync(
            "SELECT count() FROM k2_cluster.schema_migrations", null, "TabSeparated", static d => System.Text.Encoding.UTF8.GetString(d).Trim(), Ct);
        recorded.ShouldBe($"{HotStoreMigrations.All.Count}");
        endpoint.Requests.Count.ShouldBe(3 + HotStoreMigrations.All.Sum(m => m.Statements.Count + 1)); // CREATE DATABASE, CREATE TABLE and SELECT of the migrations table, then each statement and its record
        // Nothing was written under the data directory's hot store: the embedded transport was never opened.
        Directory.Exists(Path.Combine(data.Path, "hot")).ShouldBeFalse();
    }

    [Fact]
    public async Task Http_with_a_wrong_password_fails_with_the_servers_refusal()
    {
        using var data = new TempDirectory();
        using var server = EmbeddedClickHouse.Open(
            new EmbeddedClickHouseOptions { DataPath = Path.Combine(data.Path, "server") }, NullLogger<EmbeddedClickHouse>.Instance);
        await using var endpoint = await ChdbHttpEndpoint.StartAsync(server, Ct);

        var (exitCode, _, error) = await MigrateAsync(new Dictionary<string, string?>
        {
            [HotStoreTransport.ConfigurationKey] = "http",
            ["K2:Storage:Http:Url"] = endpoint.Url.ToString(),
            ["K2:Storage:Http:User"] = ChdbHttpEndpoint.DefaultUser,
            ["K2:Storage:Http:Password"] = "wrong",
        });

        exitCode.ShouldBe(ExitCodes.StartFailed);
        error.ShouldContain("Code: 516");
    }

    [Theory]
    [InlineData("K2:Storage:Transport", "native", "K2:Storage:Transport must be 'embedded' or 'http' (is 'native')")]
    [InlineData("K2:Storage:Http:Url", "ftp://127.0.0.1/", "K2:Storage:Http: Url must be an absolute http or https URL")]
    [InlineData("K2:Storage:Http:Timeout", "00:00:00", "K2:Storage:Http: Timeout must be positive")]
    public async Task Invalid_configuration_exits_with_code_2_and_names_the_key(string key, string value, string message)
    {
        var configuration = new Dictionary<string, string?> { [HotStoreTransport.ConfigurationKey] = "http", [key] = value };

        var (exitCode, _, error) = await MigrateAsync(configuration);

        exitCode.ShouldBe(ExitCodes.BadConfiguration);
        error.ShouldContain(message);
    }
}
