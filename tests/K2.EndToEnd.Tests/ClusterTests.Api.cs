using System.Globalization;
using System.Net;
using System.Text.Json;
using K2.Core;
using K2.EndToEnd.Tests.Support;
using K2.Testing;

namespace K2.EndToEnd.Tests;

/// <summary>The standalone API as an Orleans client of the running cluster (issue #14, item 4).</summary>
public sealed partial class ClusterTests
{
    private const string ApiKey = "cluster-test-admin-key-0123456789";
    private static readonly TimeSpan ApiReadyLimit = TimeSpan.FromSeconds(60);
    private const int OffloadPairs = 10;

    /// <summary>
    /// Starts the real <c>k2-api</c> with the silos' settings (membership in the same PostgreSQL) and checks that it is
    /// ready; that its <c>/v1/status</c> lists all six shards connected on the silos the silos' own status names, with
    /// the cluster's instruments, activations and hot and cold tables but without a silo's own counters; that an offload
    /// asked through it runs on the cluster's offload grain (200 with every cold table) while one asked at the same time
    /// is a 409; and that a backfill is queued (202). Then stops it.
    /// </summary>
    private async Task StandaloneApiServesTheClusterAsync(K2Cluster cluster, CancellationToken ct)
    {
        var environment = new Dictionary<string, string>(cluster.Silos[0].Environment)
        {
            ["K2__Api__Admin__Keys__0__Name"] = "cluster-test",
            ["K2__Api__Admin__Keys__0__Key"] = ApiKey,
        };
        var directory = Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(cluster.Silos[0].DataDirectory)!, "api")).FullName;
        await using var api = K2Process.StartApi(directory, environment);
        try
        {
            var started = TimeProvider.System.GetTimestamp();
            await api.WaitUntilReadyAsync(ApiReadyLimit, ct);
            output.WriteLine($"k2-api ready as a client of the cluster {TimeProvider.System.GetElapsedTime(started).TotalSeconds:F1} s after its start");
            using (var ready = await api.Http.GetAsync("/health/ready", ct))
            {
                ready.StatusCode.ShouldBe(HttpStatusCode.OK);
            }

            // The same shard assignment through the API as through a silo (polled: a status is a moment's view).
            IReadOnlyList<ShardSession> viaApi = [], viaSilo = [];
            await Eventually.TrueAsync(async () =>
            {
                viaApi = await K2Cluster.ShardsAsync(api, ct);
                viaSilo = await K2Cluster.ShardsAsync(cluster.Running.First(), ct);
                return viaApi.Count == K2Cluster.ShardCount && viaApi.All(s => s.Connected && cluster.SiloAt(s.Silo) is not null)
                       && viaApi.Select(s => (s.Shard, s.Silo)).SequenceEqual(viaSilo.Select(s => (s.Shard, s.Silo)));
            }, TimeSpan.FromSeconds(30), "the API's status did not show the silos' shard assignment", ct);
            output.WriteLine($"k2-api status: {Describe(viaApi, cluster)}");

            var status = await api.GetJsonAsync("/v1/status", ct);
            status.GetProperty("instruments").GetArrayLength().ShouldBe(K2Cluster.Exchanges.Sum(e => K2Cluster.Registry.ForExchange(e).Count));
            status.GetProperty("grains").GetProperty("activations").GetInt32().ShouldBeGreaterThan(0);
            status.GetProperty("hot_tables").GetProperty("tables").GetArrayLength().ShouldBeGreaterThan(0);
            status.GetProperty("cold_tables").GetProperty("tables").GetArrayLength().ShouldBe(10);
            status.GetProperty("ingest").ValueKind.ShouldBe(JsonValueKind.Null);
            status.GetProperty("silo_counters_omitted").GetString().ShouldNotBeNullOrEmpty();

            await OffloadOnceAtATimeAsync(api, ct);

            var instrument = K2Cluster.Registry.ForExchange(Exchange.Binance)[0];
            var to = DateTimeOffset.UtcNow.AddSeconds(-1);
            using var backfill = await PostAdminAsync(
                api, $"/v1/admin/backfill?exchange=binance&symbol={instrument.Symbol}&from={Iso(to.AddMinutes(-2))}&to={Iso(to)}", ct);
            backfill.StatusCode.ShouldBe(HttpStatusCode.Accepted, await backfill.Content.ReadAsStringAsync(ct));
            (await api.StopAsync(TimeSpan.FromSeconds(30), ct)).ShouldBe(0, api.Output);
        }
        finally
        {
            output.WriteLine("--- k2-api");
            output.WriteLine(string.Join(System.Environment.NewLine, api.Output.Split(System.Environment.NewLine)
                .Where(l => l.Contains("warn:", StringComparison.Ordinal) || l.Contains("fail:", StringComparison.Ordinal) || l.Contains("crit:", StringComparison.Ordinal))
                .Take(50)));
        }
    }

    /// <summary>
    /// Two offloads asked through the API at the same moment: the offload grain runs one (200, every cold table) and
    /// refuses the other (409), never both. The cluster's own offload runs every 5 s and may hold both off (409, 409):
    /// pairs are sent until one ran.
    /// </summary>
    private async Task OffloadOnceAtATimeAsync(K2Process api, CancellationToken ct)
    {
        for (var pair = 1; pair <= OffloadPairs; pair++)
        {
            var responses = await Task.WhenAll(PostAdminAsync(api, "/v1/admin/offload", ct), PostAdminAsync(api, "/v1/admin/offload", ct));
            try
            {
                var codes = responses.Select(r => r.StatusCode).Order().ToList();
                output.WriteLine($"offload pair {pair}: {string.Join(", ", codes.Select(c => (int)c))}");
                codes.ShouldAllBe(c => c == HttpStatusCode.OK || c == HttpStatusCode.Conflict);
                codes.Count(c => c == HttpStatusCode.OK).ShouldBeLessThanOrEqualTo(1, "two offloads ran at once");
                if (responses.SingleOrDefault(r => r.StatusCode == HttpStatusCode.OK) is { } ran)
                {
                    var report = JsonDocument.Parse(await ran.Content.ReadAsStringAsync(ct)).RootElement;
                    report.GetProperty("tables").EnumerateArray().Select(t => t.GetProperty("table").GetString()).Distinct().Count().ShouldBe(10);
                    var refused = responses.Single(r => r.StatusCode == HttpStatusCode.Conflict);
                    refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
                    return;
                }
            }
            finally
            {
                foreach (var response in responses)
                {
                    response.Dispose();
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }

        throw new InvalidOperationException($"none of {OffloadPairs} pairs of offloads asked through the API ran");
    }

    private static async Task<HttpResponseMessage> PostAdminAsync(K2Process api, string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Add("X-Api-Key", ApiKey);
        return await api.Http.SendAsync(request, ct);
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
