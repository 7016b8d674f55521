using System.Net;
using K2.Core;
using K2.Core.Exchanges.Binance;
using K2.Simulator.Tests.Support;
using K2.Testing;

namespace K2.Simulator.Tests.Binance;

/// <summary>Binance's REST refusals (429, 418, both with <c>Retry-After</c>) and its request-weight accounting.</summary>
public sealed class BinanceRestLimitTests
{
    private const string TooManyRequestsBody =
        """{"code":-1003,"msg":"Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. Please use the websocket for live updates to avoid polling the API."}""";

    private const string OneTrade = "/api/v3/trades?symbol=BTCUSDT&limit=1";

    /// <summary>6000 / 25: the trade lookups one minute allows.</summary>
    private const int LookupsPerMinute = BinanceEndpoints.MaxRequestWeightPerMinute / BinanceEndpoints.RecentTradesWeight;

    [Theory]
    [InlineData(RestFault.TooManyRequests)]
    [InlineData(RestFault.Throttled)]
    public async Task Armed_429s_carry_retry_after_and_Binances_body_then_service_resumes(RestFault fault)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await StartWithTradesAsync(new ManualTimeProvider(), ct);
        using var http = new HttpClient();
        simulator.Faults.FailRestRequests(Exchange.Binance, 2, fault, TimeSpan.FromMilliseconds(1_500));

        for (var i = 0; i < 2; i++)
        {
            using var refused = await http.GetAsync(Url(simulator, OneTrade), ct);
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("2", Header(refused, "Retry-After"));
            Assert.Equal("0", Header(refused, BinanceEndpoints.UsedWeightHeader));
            Assert.Equal(TooManyRequestsBody, await refused.Content.ReadAsStringAsync(ct));
        }

        using var served = await http.GetAsync(Url(simulator, OneTrade), ct);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("25", Header(served, BinanceEndpoints.UsedWeightHeader));
        Assert.Equal(ExpectedBinanceJson.RestTrades(simulator.GroundTruth.For(Exchange.Binance, "BTCUSDT").TakeLast(1), BinanceTimeUnit.Millisecond),
            await served.Content.ReadAsStringAsync(ct));
        Assert.Equal(2, Count(simulator, FaultKind.RestTooManyRequests));
    }

    [Fact]
    public async Task An_armed_ban_is_a_418_until_an_exact_time_then_service_resumes()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartWithTradesAsync(time, ct);
        using var http = new HttpClient();
        var retryAfter = TimeSpan.FromSeconds(90.5);
        simulator.Faults.FailRestRequests(Exchange.Binance, 1, RestFault.Banned, retryAfter);

        using var banned = await http.GetAsync(Url(simulator, "/api/v3/historicalTrades?symbol=ETHUSDT&fromId=1"), ct);

        Assert.Equal((HttpStatusCode)418, banned.StatusCode);
        Assert.Equal("91", Header(banned, "Retry-After"));
        Assert.Equal(
            $$"""{"code":-1003,"msg":"Way too many requests; IP(127.0.0.1) banned until {{(time.GetUtcNow() + retryAfter).ToUnixTimeMilliseconds()}}. Please use the websocket for live updates to avoid bans."}""",
            await banned.Content.ReadAsStringAsync(ct));
        using var served = await http.GetAsync(Url(simulator, OneTrade), ct);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(1, Count(simulator, FaultKind.RestBanned));
        Assert.Equal(0, Count(simulator, FaultKind.RestTooManyRequests));
    }

    [Fact]
    public async Task Request_weight_is_counted_over_a_rolling_minute_and_over_6000_is_refused_until_enough_expires()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartWithTradesAsync(time, ct);
        using var http = new HttpClient();

        // Half the minute's weight now, half thirty seconds later: every response tells the weight used so far.
        var used = new List<string>();
        for (var i = 0; i < LookupsPerMinute; i++)
        {
            if (i == LookupsPerMinute / 2)
            {
                time.Advance(TimeSpan.FromSeconds(30));
            }

            var path = i % 2 == 0 ? OneTrade : "/api/v3/historicalTrades?symbol=BTCUSDT&limit=1";
            using var response = await http.GetAsync(Url(simulator, path), ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            used.Add(Header(response, BinanceEndpoints.UsedWeightHeader));
        }

        Assert.Equal(Enumerable.Range(1, LookupsPerMinute).Select(n => (n * 25).ToString(System.Globalization.CultureInfo.InvariantCulture)), used);

        // Full: the first half expires one minute after it was charged, thirty seconds from now.
        await AssertRefusedAsync(http, simulator, retryAfterSeconds: "30", ct);
        time.Advance(TimeSpan.FromSeconds(29.5));
        await AssertRefusedAsync(http, simulator, retryAfterSeconds: "1", ct);
        time.Advance(TimeSpan.FromSeconds(0.5));

        using var served = await http.GetAsync(Url(simulator, OneTrade), ct);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("3025", Header(served, BinanceEndpoints.UsedWeightHeader));
        Assert.Equal(2, Count(simulator, FaultKind.RestTooManyRequests));
    }

    [Fact]
    public async Task A_refused_parameter_costs_weight_and_reports_it_too()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await StartWithTradesAsync(new ManualTimeProvider(), ct);
        using var http = new HttpClient();

        using var bad = await http.GetAsync(Url(simulator, "/api/v3/trades?symbol=FOOUSDT"), ct);
        using var good = await http.GetAsync(Url(simulator, OneTrade), ct);

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("25", Header(bad, BinanceEndpoints.UsedWeightHeader));
        Assert.Equal("50", Header(good, BinanceEndpoints.UsedWeightHeader));
    }

    private static async Task AssertRefusedAsync(HttpClient http, ExchangeSimulator simulator, string retryAfterSeconds, CancellationToken cancellationToken)
    {
        using var refused = await http.GetAsync(Url(simulator, OneTrade), cancellationToken);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(retryAfterSeconds, Header(refused, "Retry-After"));
        Assert.Equal("6000", Header(refused, BinanceEndpoints.UsedWeightHeader));
        Assert.Equal(TooManyRequestsBody, await refused.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>A simulator that printed one second of trades with nobody listening.</summary>
    private static async Task<ExchangeSimulator> StartWithTradesAsync(ManualTimeProvider time, CancellationToken cancellationToken)
    {
        var simulator = await ExchangeSimulator.StartAsync(
            new SimulatorOptions { TradesPerSecond = 1200 }, TestRegistries.Repository, time, null, cancellationToken);
        time.Advance(TimeSpan.FromSeconds(1));
        return simulator;
    }

    private static string Header(HttpResponseMessage response, string name) => Assert.Single(response.Headers.GetValues(name));

    private static int Count(ExchangeSimulator simulator, FaultKind kind) =>
        simulator.Faults.Counts(Exchange.Binance).GetValueOrDefault(kind);

    private static Uri Url(ExchangeSimulator simulator, string pathAndQuery) => new($"{simulator.BinanceRestBase}{pathAndQuery}");
}
