using K2.Testing;

namespace K2.EndToEnd.Tests;

/// <summary>The standalone API configured as a client of a cluster it cannot reach: it retries, then exits 1 saying what it could not reach.</summary>
public sealed class ApiClusterStartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_k2_api_that_cannot_reach_its_cluster_retries_then_exits_1_with_one_line()
    {
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDirectory("k2-api-no-cluster");
        // Nothing listens on this port: the membership table cannot be read, so no gateway is found.
        var port = FreePort.Next();
        await using var api = K2Process.StartApi(data.Path, new Dictionary<string, string>
        {
            ["K2__Cluster__Membership"] = "Postgres",
            ["K2__Cluster__ClusterId"] = "nowhere",
            ["K2__Cluster__PostgresConnectionString"] = $"Host=127.0.0.1;Port={port};Username=k2;Password=secret-password;Database=k2;Timeout=2",
        });

        var exitCode = await api.WaitForExitAsync(TimeSpan.FromSeconds(120), ct);

        output.WriteLine(api.Output);
        exitCode.ShouldBe(1);
        var lines = api.Output.Split(Environment.NewLine);
        lines.Where(l => l.StartsWith("k2-api: ", StringComparison.Ordinal)).ShouldHaveSingleItem()
            .ShouldStartWith($"k2-api: cannot connect to the cluster 'nowhere' (membership in PostgreSQL at 127.0.0.1:{port}): ");
        // Every wait of the start-up retries was taken (1, 2, 4, 8, 8, 8 s), and the password never shown.
        lines.Count(l => l.Contains("The cluster is not reachable yet (attempt", StringComparison.Ordinal)).ShouldBe(6);
        api.Output.ShouldNotContain("secret-password");
    }
}
