using System.CommandLine;
using K2.Silo.Commands;
using K2.Testing;

namespace K2.Silo.Tests.Commands;

public sealed class K2CommandTests
{
    private static async Task<(int ExitCode, string Output, string Error)> InvokeAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await K2Command.Create().Parse(args)
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Help_lists_the_run_command()
    {
        var (exitCode, output, _) = await InvokeAsync("--help");

        exitCode.ShouldBe(0);
        output.ShouldContain("run");
    }

    [Fact]
    public async Task Help_lists_the_migrate_command()
    {
        var (exitCode, output, _) = await InvokeAsync("--help");

        exitCode.ShouldBe(0);
        output.ShouldContain("migrate");
    }

    [Fact]
    public async Task Migrate_help_lists_the_data_option()
    {
        var (exitCode, output, _) = await InvokeAsync("migrate", "--help");

        exitCode.ShouldBe(0);
        output.ShouldContain("--data");
        output.ShouldContain("K2:Storage:Transport");
    }

    [Fact]
    public async Task Run_help_lists_every_option()
    {
        var (exitCode, output, _) = await InvokeAsync("run", "--help");

        exitCode.ShouldBe(0);
        foreach (var option in new[] { "--simulate", "--data", "--urls", "--instruments" })
        {
            output.ShouldContain(option);
        }
    }

    [Fact]
    public async Task An_invalid_instrument_registry_stops_run_with_code_2_and_names_line_and_field()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "instruments.yaml");
        await File.WriteAllTextAsync(file, """
            exchanges:
              binance:
                - symbol: BTC-USDT
                  exchange_symbol: BTCUSDT
                  base: BTC
                  quote: USDT
                  price_scale: eleven
                  quantity_scale: 5
            """, TestContext.Current.CancellationToken);

        var (exitCode, _, error) = await InvokeAsync("run", "--instruments", file, "--data", dir.Path);

        exitCode.ShouldBe(2);
        error.ShouldContain($"{file}:7:");
        error.ShouldContain("binance[0].price_scale");
    }

    [Fact]
    public async Task A_missing_instrument_registry_stops_run_with_code_2()
    {
        using var dir = new TempDirectory();
        var missing = Path.Combine(dir.Path, "nope.yaml");

        var (exitCode, _, error) = await InvokeAsync("run", "--instruments", missing, "--data", dir.Path);

        exitCode.ShouldBe(2);
        error.ShouldContain("cannot read the instrument registry");
    }

    [Theory]
    [InlineData("localhost:8080")]
    [InlineData("ftp://127.0.0.1:21")]
    [InlineData("")]
    public async Task Run_refuses_urls_that_are_not_http(string urls)
    {
        var (exitCode, _, error) = await InvokeAsync("run", "--urls", urls);

        exitCode.ShouldBe(1, "System.CommandLine's code for a parse error");
        error.ShouldContain("--urls");
    }

    [Fact]
    public async Task An_unknown_option_is_an_error()
    {
        var (exitCode, _, error) = await InvokeAsync("run", "--simulte");

        exitCode.ShouldBe(1, "System.CommandLine's code for a parse error");
        error.ShouldContain("--simulte");
    }
}
