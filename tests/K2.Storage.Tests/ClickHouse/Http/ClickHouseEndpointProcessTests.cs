using System.Net;
using System.Net.Sockets;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.Http;
using K2.Storage.Tests.Support;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Storage.Tests.ClickHouse.Http;

/// <summary>
/// The tests' ClickHouse as a process of its own (<see cref="ClickHouseEndpointProcess"/>), seen through K2's HTTP
/// client as a server would be seen: killed, it refuses connections, and restarted on its data directory it serves
/// the rows it had acknowledged; hung, it lets a request time out, and continued, it answers again.
/// </summary>
public sealed class ClickHouseEndpointProcessTests : IDisposable
{
    private readonly TempDirectory _directory = new("k2-clickhouse-process");
    private readonly List<ClickHouseHttpClient> _clients = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _clients.ForEach(c => c.Dispose());
        _directory.Dispose();
    }

    [Fact]
    public async Task Rows_inserted_before_a_kill_are_served_after_a_restart_on_the_same_address()
    {
        await using var clickHouse = await ClickHouseEndpointProcess.StartAsync(Path.Combine(_directory.Path, "hot"), _directory.Path, Ct);
        var client = NewClient(clickHouse.Url, TimeSpan.FromSeconds(10));
        await client.ExecuteAsync("CREATE DATABASE survivors", null, Ct);
        await client.ExecuteAsync("CREATE TABLE survivors.rows (id UInt32, name String) ENGINE = MergeTree ORDER BY id", null, Ct);
        var written = await client.InsertAsync(
            "INSERT INTO survivors.rows (id, name)", ClickHouseFormats.TabSeparated, "1\tone\n2\ttwo\n3\tthree\n"u8.ToArray(), Ct);
        written.ShouldBe(3);
        var killed = clickHouse.Id;

        await clickHouse.KillAsync();
        var refused = await Should.ThrowAsync<ClickHouseException>(() => client.QueryTextAsync("SELECT count() FROM survivors.rows", Ct));
        refused.InnerException.ShouldBeOfType<HttpRequestException>(clickHouse.Output);

        await clickHouse.RestartAsync(Ct);

        clickHouse.Id.ShouldNotBe(killed);
        (await client.QueryTextAsync("SELECT id, name FROM survivors.rows ORDER BY id", Ct)).ShouldBe("1\tone\n2\ttwo\n3\tthree", clickHouse.Output);
        (await clickHouse.StopAsync(TimeSpan.FromSeconds(30), Ct)).ShouldBe(0, clickHouse.Output);
    }

    [Fact]
    public async Task A_hung_endpoint_lets_a_request_time_out_and_answers_once_continued()
    {
        await using var clickHouse = await ClickHouseEndpointProcess.StartAsync(Path.Combine(_directory.Path, "hot"), _directory.Path, Ct);
        var patient = NewClient(clickHouse.Url, TimeSpan.FromSeconds(10));
        var impatient = NewClient(clickHouse.Url, TimeSpan.FromMilliseconds(500));
        (await patient.QueryTextAsync("SELECT 1", Ct)).ShouldBe("1");

        clickHouse.Hang();
        var timedOut = await Should.ThrowAsync<ClickHouseException>(() => impatient.QueryTextAsync("SELECT 2", Ct));
        timedOut.InnerException.ShouldBeOfType<TimeoutException>(clickHouse.Output);

        clickHouse.Continue();
        (await patient.QueryTextAsync("SELECT 3", Ct)).ShouldBe("3", clickHouse.Output);
    }

    [Fact]
    public async Task A_restart_replaces_a_hung_endpoint()
    {
        await using var clickHouse = await ClickHouseEndpointProcess.StartAsync(Path.Combine(_directory.Path, "hot"), _directory.Path, Ct);
        var client = NewClient(clickHouse.Url, TimeSpan.FromSeconds(10));
        var hung = clickHouse.Id;
        clickHouse.Hang();

        await clickHouse.RestartAsync(Ct);

        clickHouse.Id.ShouldNotBe(hung);
        (await client.QueryTextAsync("SELECT 1", Ct)).ShouldBe("1", clickHouse.Output);
    }

    [Fact]
    public async Task A_restart_that_cannot_listen_fails_with_the_endpoints_output()
    {
        await using var clickHouse = await ClickHouseEndpointProcess.StartAsync(Path.Combine(_directory.Path, "hot"), _directory.Path, Ct);
        await clickHouse.KillAsync();
        using var squatter = new TcpListener(IPAddress.Loopback, clickHouse.Url.Port);
        squatter.Start();

        var failure = await Should.ThrowAsync<InvalidOperationException>(() => clickHouse.RestartAsync(Ct));

        failure.Message.ShouldContain("exited with 1 before it was ready");
        failure.Message.ShouldContain($"Failed to bind to address {clickHouse.Url.ToString().TrimEnd('/')}: address already in use.");
    }

    [Fact]
    public async Task Allocator_options_in_the_environment_apply_after_the_one_arena()
    {
        await using var clickHouse = await ClickHouseEndpointProcess.StartAsync(
            Path.Combine(_directory.Path, "hot"), _directory.Path, Ct, new Dictionary<string, string> { ["JE_MALLOC_CONF"] = "narenas:3" });
        var client = NewClient(clickHouse.Url, TimeSpan.FromSeconds(10));

        var statistics = await client.QueryTextAsync("SELECT * FROM system.jemalloc_stats", Ct);

        // Later options win in jemalloc: the operator's arena count, and the one-arena choice's other option kept.
        statistics.ShouldContain("Environment variable MALLOC_CONF: \"percpu_arena:disabled,narenas:1,narenas:3\"", customMessage: clickHouse.Output);
        statistics.ShouldContain("opt.narenas: 3\\n");
        statistics.ShouldContain("opt.percpu_arena: \"disabled\"");
    }

    /// <summary>A client that tries each request once, so a failure is the failure of that request.</summary>
    private ClickHouseHttpClient NewClient(Uri url, TimeSpan timeout)
    {
        var client = new ClickHouseHttpClient(
            new ClickHouseHttpOptions
            {
                Url = url,
                User = ChdbHttpEndpoint.DefaultUser,
                Password = ChdbHttpEndpoint.DefaultPassword,
                Timeout = timeout,
                ReadRetries = 0,
            },
            NullLogger<ClickHouseHttpClient>.Instance);
        _clients.Add(client);
        return client;
    }
}
