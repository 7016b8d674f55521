using K2.Testing;

namespace K2.EndToEnd.Tests;

/// <summary>K2 refuses to start, with exit code 1 and a message that says what to do, when its hot store cannot open.</summary>
public sealed class StartupFailureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_second_k2_on_a_data_directory_in_use_exits_1_and_says_why()
    {
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDirectory("k2-locked");
        await using var first = K2Process.Start(data.Path, ["--simulate"]);
        await first.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), ct);

        await using var second = K2Process.Start(data.Path, ["--simulate"]);
        var exitCode = await second.WaitForExitAsync(TimeSpan.FromSeconds(60), ct);

        output.WriteLine(second.Output);
        exitCode.ShouldBe(1);
        second.Output.ShouldContain("only one process can use it at a time");
        (await first.StopAsync(TimeSpan.FromSeconds(60), ct)).ShouldBe(0, "the first k2 is unaffected");
    }

    [Fact]
    public async Task A_missing_chdb_library_exits_1_and_says_how_to_point_k2_at_one()
    {
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDirectory("k2-nolib");
        var missing = Path.Combine(data.Path, "nowhere", "libchdb.so");

        await using var k2 = K2Process.Start(data.Path, ["--simulate"], new Dictionary<string, string>
        {
            ["K2__Storage__Embedded__LibraryPath"] = missing,
        });
        var exitCode = await k2.WaitForExitAsync(TimeSpan.FromSeconds(60), ct);

        output.WriteLine(k2.Output);
        exitCode.ShouldBe(1);
        k2.Output.ShouldContain($"Looked in: {missing}");
        k2.Output.ShouldContain("K2__Storage__Embedded__LibraryPath");
    }

    [Fact]
    public async Task A_port_in_use_exits_1_and_says_so_without_leaving_ingest_running()
    {
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDirectory("k2-port");
        using var occupant = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((System.Net.IPEndPoint)occupant.LocalEndpoint).Port;

        await using var k2 = K2Process.Start(data.Path, ["--simulate"], urls: $"http://127.0.0.1:{port}");
        var exitCode = await k2.WaitForExitAsync(TimeSpan.FromSeconds(60), ct);

        output.WriteLine(k2.Output);
        exitCode.ShouldBe(1);
        k2.Output.ShouldContain("the address is in use");
        k2.Output.ShouldContain("Orleans Silo stopped");
        k2.Output.ShouldContain("Embedded ClickHouse");
        // Ingest stopped before the store closed: nothing from the session follows the store's close.
        var lines = k2.Output.Split(Environment.NewLine);
        var closedAt = Array.FindIndex(lines, l => l.Contains("Embedded ClickHouse at", StringComparison.Ordinal) && l.Contains("closed", StringComparison.Ordinal));
        lines.Count(l => l.Contains("Embedded ClickHouse at", StringComparison.Ordinal) && l.Contains("closed", StringComparison.Ordinal)).ShouldBe(1);
        lines.Skip(closedAt).ShouldNotContain(l => l.Contains("K2.Grains.Exchanges", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Kestrel_endpoints_in_the_environment_cannot_open_k2_beyond_its_urls()
    {
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDirectory("k2-endpoints");
        var sneaky = FreePort.Next();

        await using var k2 = K2Process.Start(data.Path, ["--simulate"], new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__Sneaky__Url"] = $"http://0.0.0.0:{sneaky}",
        });
        await k2.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), ct);

        using var probe = new System.Net.Sockets.TcpClient();
        await Should.ThrowAsync<System.Net.Sockets.SocketException>(() => probe.ConnectAsync(System.Net.IPAddress.Loopback, sneaky, ct).AsTask());
        (await k2.StopAsync(TimeSpan.FromSeconds(60), ct)).ShouldBe(0);
    }
}
