using System.Net;
using K2.Api.Tests.Support;
using K2.Storage.ClickHouse;
using K2.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Api.Tests.Endpoints;

/// <summary>
/// A client that goes away in the middle of an export leaves nothing running: the API cancels its statement, the
/// ClickHouse server sees its client go and stops the stream, and the store serves the next request as before.
/// </summary>
public sealed class ExportDisconnectTests(ApiFactory factory)
{
    private const string Database = "k2_api_disconnect";
    private const int Trades = 300_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_client_that_leaves_mid_export_stops_the_query_in_the_store()
    {
        await using var replica = await ReplicaApi.StartAsync(factory, Database, new Dictionary<string, string>(), Ct);
        var client = replica.Factory.CreateClient();
        (await client.GetAsync("/health/ready", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK); // migrated
        // Far more than any buffer between the store and the client: the export must still be running when the client leaves.
        await factory.Services.GetRequiredService<IClickHouseClient>().ExecuteAsync($"""
            INSERT INTO {Database}.silver_trades (exchange, symbol, raw_symbol, trade_id, price, quantity, side, exchange_ts, receipt_ts, ingest_ts)
            SELECT 'binance', 'DOGE-USDT', 'DOGEUSDT', toString(number), 0.1, 1, 'buy',
                   now64(6) - INTERVAL 2 HOUR + toIntervalMicrosecond(number * 10), now64(6) - INTERVAL 1 HOUR, now64(6)
            FROM numbers({Trades})
            """, null, Ct);
        var range = $"exchange=binance&symbol=DOGE-USDT&from={Iso(DateTimeOffset.UtcNow.AddHours(-3))}&to={Iso(DateTimeOffset.UtcNow)}";

        var response = await client.GetAsync($"/v1/trades?{range}&format=csv", HttpCompletionOption.ResponseHeadersRead, Ct);
        var body = await response.Content.ReadAsStreamAsync(Ct);
        var received = await body.ReadAtLeastAsync(new byte[64 * 1024], 64 * 1024, throwOnEndOfStream: true, Ct);
        body.Dispose();
        response.Dispose();

        // The endpoint streams every SELECT (the health check's and the export's bounds query too): the export's is the
        // one that does not complete.
        var ends = new List<StreamEnd>();
        do
        {
            ends.Add(await replica.Store.NextStreamEndAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct));
        }
        while (ends[^1].Outcome == StreamOutcome.Completed && ends[^1].Bytes < 1_000_000);

        ends[^1].Outcome.ShouldBe(StreamOutcome.Cancelled, string.Join(", ", ends));
        received.ShouldBe(64 * 1024);
        using var next = await client.GetAsync($"/v1/trades?{range}&limit=3", Ct);
        next.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static string Iso(DateTimeOffset time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
