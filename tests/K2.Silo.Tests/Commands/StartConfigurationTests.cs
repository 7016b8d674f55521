using K2.Silo.Commands;
using K2.Testing;

namespace K2.Silo.Tests.Commands;

/// <summary>The real <c>k2</c> process reads its configuration as the README says, and refuses a bad one cleanly.</summary>
public sealed class StartConfigurationTests
{
    [Theory]
    [InlineData("K2__Storage__Embedded__QueryConnections", "-3", "K2:Storage:Embedded: QueryConnections must be at least 1 (is -3).")]
    [InlineData("K2__Storage__Writers__MaxBatchRows", "-5", "K2:Storage:Writers: MaxBatchRows must be at least 1 (is -5).")]
    [InlineData("K2__Ingest__CandleWriteInterval", "-00:00:01", "K2:Ingest: CandleWriteInterval must be positive and finite (is -00:00:01).")]
    public async Task Run_with_a_bad_setting_exits_2_with_one_line_naming_the_key_and_no_stack_trace(string variable, string value, string message)
    {
        using var cwd = new TempDirectory("k2-badsetting");

        var result = await K2Cli.RunAsync(
            ["run", "--simulate", "--data", Path.Combine(cwd.Path, "data"), "--urls", $"http://127.0.0.1:{FreePort.Next()}"],
            cwd.Path, new Dictionary<string, string> { [variable] = value });

        result.ExitCode.ShouldBe(ExitCodes.BadConfiguration, result.Output + result.Error);
        result.ErrorLines.ShouldBe([$"k2: invalid configuration: {message}"]);
        result.Output.ShouldNotContain("Exception");
        Directory.Exists(Path.Combine(cwd.Path, "data", "hot")).ShouldBeFalse("nothing is opened before the settings are checked");
    }

    [Fact]
    public async Task Migrate_without_data_puts_the_hot_store_where_the_environment_says()
    {
        using var cwd = new TempDirectory("k2-envpath");
        var hot = Path.Combine(cwd.Path, "elsewhere", "hot");

        var result = await K2Cli.RunAsync(["migrate"], cwd.Path, new Dictionary<string, string> { ["K2__Storage__Embedded__DataPath"] = hot });

        result.ExitCode.ShouldBe(ExitCodes.Success, result.Error);
        Directory.Exists(hot).ShouldBeTrue();
        Directory.Exists(Path.Combine(cwd.Path, "data")).ShouldBeFalse("the default data directory yields to the environment");
    }
}
