using K2.Core;
using K2.Silo.Commands;
using K2.Storage;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.Embedded;
using K2.Storage.Hosting;
using K2.Storage.Iceberg.Maintenance;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.Schema;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Silo.Tests.Commands;

/// <summary><c>k2 offload</c> and <c>k2 maintenance</c> on a data directory, as a user runs them after stopping K2.</summary>
[Collection(EmbeddedStoreCommands.Name)]
public sealed class ColdTierCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(int ExitCode, string Output, string Error)> OffloadAsync(string data, params string[] tables)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await OffloadCommand.RunAsync(DataDirectoryLayout.Settings(data), tables.Length == 0 ? null : tables, output, error, Ct);
        return (exitCode, output.ToString(), error.ToString());
    }

    private static async Task<(int ExitCode, string Output, string Error)> MaintainAsync(string data, MaintenanceTask[] tasks, params string[] tables)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await MaintenanceCommand.RunAsync(DataDirectoryLayout.Settings(data), tasks, tables.Length == 0 ? null : tables, output, error, Ct);
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Puts <paramref name="count"/> silver trades that landed ten minutes ago (past the safety lag) into the data directory's hot store.</summary>
    private static async Task InsertSilverAsync(string data, int count)
    {
        using var hot = EmbeddedClickHouse.Open(
            new EmbeddedClickHouseOptions { DataPath = DataDirectoryLayout.EmbeddedDataPath(data) }, NullLogger<EmbeddedClickHouse>.Instance);
        var options = new HotStoreOptions();
        await new HotStoreMigrator(hot, options, TimeProvider.System, NullLogger<HotStoreMigrator>.Instance).MigrateAsync(Ct);
        var ingest = UnixMicros.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-10));
        await hot.ExecuteAsync($$"""
            INSERT INTO {{options.Database}}.silver_trades
            SELECT 'kraken', 'BTC-USD', 'BTC/USD', toString(number), toDecimal64(87000, 8), toDecimal64(1, 8) / 1000, 'buy',
                   {ingest:DateTime64(6, 'UTC')} - toIntervalSecond(number), {ingest:DateTime64(6, 'UTC')} - toIntervalSecond(number),
                   {ingest:DateTime64(6, 'UTC')}
            FROM numbers({{count}})
            """, new ClickHouseParameters().Add("ingest", ingest), Ct);
    }

    [Fact]
    public async Task Offload_prints_each_tables_outcome_and_maintenance_audits_what_it_moved()
    {
        using var data = new TempDirectory();
        await InsertSilverAsync(data.Path, 1_234);

        var first = await OffloadAsync(data.Path);
        var again = await OffloadAsync(data.Path, ColdTables.SilverTrades.Name);
        var audit = await MaintainAsync(data.Path, [MaintenanceTask.Audit], ColdTables.SilverTrades.Name);

        first.ExitCode.ShouldBe(ExitCodes.Success, first.Error);
        var lines = first.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(ColdTables.All.Count + 1, first.Output);
        lines.Single(l => l.StartsWith("silver_trades ", StringComparison.Ordinal)).ShouldContain(" 1,234 rows    1 files ");
        lines.Count(l => l.EndsWith(" nothing new", StringComparison.Ordinal)).ShouldBe(ColdTables.All.Count - 1);
        lines[^1].ShouldBe($"k2 offload: {ColdTables.All.Count} table(s) done, 0 failed; tables under {Path.Combine(data.Path, "warehouse", "cold")}.");
        again.ExitCode.ShouldBe(ExitCodes.Success, again.Error);
        again.Output.ShouldStartWith($"{ColdTables.SilverTrades.Name,-24} nothing new\n");
        audit.ExitCode.ShouldBe(ExitCodes.Success, audit.Error);
        audit.Output.ShouldContain($"{ColdTables.SilverTrades.Name,-24} audit    ok        hot 1234 rows, cold 1234 rows\n");
        audit.Output.ShouldEndWith("k2 maintenance: 1 ok, 0 not ok.\n");
    }

    [Fact]
    public async Task Both_commands_refuse_a_data_directory_a_running_K2_holds_and_say_so()
    {
        using var data = new TempDirectory();
        using var holder = EmbeddedClickHouse.Open(
            new EmbeddedClickHouseOptions { DataPath = DataDirectoryLayout.EmbeddedDataPath(data.Path) }, NullLogger<EmbeddedClickHouse>.Instance);

        var offload = await OffloadAsync(data.Path);
        var maintenance = await MaintainAsync(data.Path, []);

        offload.ExitCode.ShouldBe(ExitCodes.StartFailed);
        offload.Error.ShouldContain("k2 offload: the hot store failed: ");
        offload.Output.ShouldBeEmpty();
        maintenance.ExitCode.ShouldBe(ExitCodes.StartFailed);
        maintenance.Error.ShouldContain("k2 maintenance: the hot store failed: ");
        maintenance.Output.ShouldBeEmpty();
        Directory.Exists(Path.Combine(data.Path, "warehouse", "cold")).ShouldBeFalse();
    }

    [Theory]
    [InlineData("K2:Offload:MaxRowsPerCommit", "0", "K2:Offload: MaxRowsPerCommit must be at least 1 (is 0).")]
    [InlineData("K2:Offload:SafetyLag", "-00:01:00", "K2:Offload: SafetyLag must not be negative (is -00:01:00).")]
    public async Task Unusable_offload_settings_exit_with_code_2_and_say_what_is_needed(string key, string value, string message)
    {
        using var data = new TempDirectory();
        var overrides = DataDirectoryLayout.Settings(data.Path);
        overrides[key] = value;
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await OffloadCommand.RunAsync(overrides, null, output, error, Ct);

        exitCode.ShouldBe(ExitCodes.BadConfiguration);
        error.ToString().ShouldBe($"k2 offload: invalid configuration: {message}{Environment.NewLine}");
    }

    [Fact]
    public async Task An_unknown_table_is_refused_with_the_known_ones_before_anything_opens()
    {
        using var data = new TempDirectory();

        var offload = await OffloadAsync(data.Path, "silver", ColdTables.SilverTrades.Name);
        var maintenance = await MaintainAsync(data.Path, [], "gold_ohlcv_2m");

        offload.ExitCode.ShouldBe(ExitCodes.BadConfiguration);
        offload.Error.ShouldContain("k2 offload: unknown table(s) silver; known: bronze_trades_binance,");
        maintenance.ExitCode.ShouldBe(ExitCodes.BadConfiguration);
        maintenance.Error.ShouldContain("k2 maintenance: unknown table(s) gold_ohlcv_2m;");
        Directory.EnumerateFileSystemEntries(data.Path).ShouldBeEmpty();
    }
}
