using System.Net;
using System.Net.Http.Json;
using System.Text;
using K2.Core;
using K2.Core.Exchanges.Binance;
using K2.Simulator.Tests.Support;
using K2.Testing;

namespace K2.Simulator.Tests.Faults;

/// <summary>The Binance faults armed over the control API (<c>POST /control/binance/faults/{fault}</c>), as a chaos test would.</summary>
public sealed class BinanceControlFaultTests
{
    [Fact]
    public async Task Faults_armed_over_HTTP_reach_Binance_clients_and_are_counted()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await ExchangeSimulator.StartAsync(new SimulatorOptions { TradesPerSecond = 0 }, TestRegistries.Repository, time, null, ct);
        using var http = new HttpClient { BaseAddress = simulator.BaseAddress };
        await using var client = await BinanceTestClient.ConnectAsync(new Uri($"{simulator.BinanceWebSocketBase}/ws/btcusdt@trade"), ct);
        await client.SendAsync("""{"method":"LIST_SUBSCRIPTIONS","id":0}""", ct);
        Assert.Equal("""{"result":["btcusdt@trade"],"id":0}""", await client.ReceiveAsync(ct));

        using (var malformed = await http.PostAsync("/control/binance/faults/malformed?count=8", null, ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, malformed.StatusCode);
        }

        foreach (var frame in await client.ReceiveAsync(8, ct))
        {
            var parsed = BinanceTradeParser.Parse(Encoding.UTF8.GetBytes(frame), UnixMicros.Now(time), BinanceTimeUnit.Millisecond, TestRegistries.Repository);
            Assert.Equal(BinanceFrameKind.Rejected, parsed.Kind);
        }

        using (var shutdown = await http.PostAsync("/control/binance/faults/server-shutdown", null, ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, shutdown.StatusCode);
        }

        Assert.StartsWith("""{"e":"serverShutdown",""", await client.ReceiveAsync(ct), StringComparison.Ordinal);

        using (var armed = await http.PostAsync("/control/binance/faults/rest-418?count=1", null, ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, armed.StatusCode);
        }

        using (var banned = await http.GetAsync(new Uri($"{simulator.BinanceRestBase}/api/v3/trades?symbol=BTCUSDT"), ct))
        {
            Assert.Equal((HttpStatusCode)418, banned.StatusCode);
        }

        var counts = await http.GetFromJsonAsync<Dictionary<string, int>>("/control/binance/faults", ct);
        Assert.Equal(new Dictionary<string, int> { ["MalformedFrame"] = 8, ["ServerShutdown"] = 1, ["RestBanned"] = 1 }, counts);
    }
}
