using System.Net.WebSockets;
using K2.Simulator.Tests.Support;
using K2.Testing;

namespace K2.Simulator.Tests.Hosting;

public sealed class ExchangeSimulatorTests
{
    [Fact]
    public async Task Port_zero_picks_a_free_loopback_port_and_addresses_follow_it()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await ExchangeSimulator.StartAsync(new SimulatorOptions(), TestRegistries.Repository, null, ct);

        var port = simulator.BaseAddress.Port;
        Assert.NotEqual(0, port);
        Assert.Equal($"http://127.0.0.1:{port}/", simulator.BaseAddress.ToString());
        Assert.Equal($"ws://127.0.0.1:{port}/binance", simulator.BinanceWebSocketBase.ToString());
        Assert.Equal($"http://127.0.0.1:{port}/binance", simulator.BinanceRestBase.ToString());
    }

    [Fact]
    public async Task A_given_port_is_used()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = FreePort.Next();

        await using var simulator = await ExchangeSimulator.StartAsync(new SimulatorOptions { Port = port }, TestRegistries.Repository, null, ct);

        Assert.Equal(port, simulator.BaseAddress.Port);
    }

    [Theory]
    [InlineData(-1, 100, 1)]
    [InlineData(70_000, 100, 1)]
    [InlineData(0, double.NaN, 1)]
    [InlineData(0, -1, 1)]
    [InlineData(0, 100, 0)]
    public async Task Invalid_options_are_refused(int port, double tradesPerSecond, int pingSeconds)
    {
        var options = new SimulatorOptions { Port = port, TradesPerSecond = tradesPerSecond, BinancePingInterval = TimeSpan.FromSeconds(pingSeconds) };

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => ExchangeSimulator.StartAsync(options, TestRegistries.Repository, null, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Disposing_cuts_connected_sessions()
    {
        var ct = TestContext.Current.CancellationToken;
        var simulator = await ExchangeSimulator.StartAsync(new SimulatorOptions(), TestRegistries.Repository, new ManualTimeProvider(), null, ct);
        await using var client = await BinanceTestClient.ConnectAsync(new Uri($"{simulator.BinanceWebSocketBase}/stream"), ct);
        await Eventually.TrueAsync(() => simulator.Sessions.Count == 1, BinanceTestClient.Timeout, "the session was not listed", ct);

        await simulator.DisposeAsync();

        Assert.True(await client.ReceiveUntilCutAsync(ct));
        Assert.NotEqual(WebSocketState.Open, client.State);
    }
}
