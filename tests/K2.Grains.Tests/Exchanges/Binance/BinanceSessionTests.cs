using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Grains.Configuration;
using K2.Grains.Exchanges;
using K2.Grains.Exchanges.Binance;
using K2.Grains.Ingest;
using K2.Simulator;
using K2.Testing;
using K2.Testing.Grains;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Grains.Tests.Exchanges.Binance;

/// <summary>The Binance session against the simulator on loopback: real sockets, real frames, no grains.</summary>
public sealed class BinanceSessionTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly InstrumentRegistry _registry = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);
    private readonly CapturingLoggerProvider _simulatorLogs = new();
    private readonly ILoggerFactory _simulatorLoggers;
    private readonly TestMeterFactory _meters = new();
    private readonly ConcurrentQueue<Trade> _routed = new();
    private readonly CancellationTokenSource _stop = new();
    private ExchangeSimulator? _simulator;
    private BinanceSession? _session;
    private Task _run = Task.CompletedTask;

    public BinanceSessionTests()
    {
        _simulatorLoggers = LoggerFactory.Create(b => b.AddProvider(_simulatorLogs));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private int BinanceSymbols => _registry.ForExchange(Exchange.Binance).Count;

    private async Task<ExchangeSimulator> StartSimulatorAsync()
    {
        _simulator = await ExchangeSimulator.StartAsync(
            new SimulatorOptions { StartPaused = true, TradesPerSecond = 240 }, _registry, _simulatorLoggers, Ct);
        return _simulator;
    }

    private BinanceOptions Options(Uri webSocketBase) => new()
    {
        WebSocketBase = webSocketBase,
        ReconnectInitialDelay = TimeSpan.FromMilliseconds(50),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
    };

    private void StartSession(BinanceOptions options, TradeRoute? route = null)
    {
        route ??= (_, trades, _) =>
        {
            foreach (var trade in trades)
            {
                _routed.Enqueue(trade);
            }

            return Task.CompletedTask;
        };
        _session = new BinanceSession(options, _registry, route, new IngestMetrics(_meters), TimeProvider.System, NullLogger<BinanceSession>.Instance);
        _run = _session.RunAsync(_stop.Token);
    }

    private Task WaitUntilSubscribedAsync(ExchangeSimulator simulator, int sessions = 1) =>
        Eventually.TrueAsync(
            () => simulator.Sessions.Count(s => s.Exchange == Exchange.Binance && s.Streams.Count == BinanceSymbols) == sessions
                && _session!.GetStatus().SubscribedStreams == BinanceSymbols,
            Patience, "the session did not subscribe to every symbol", Ct);

    [Fact]
    public async Task Every_printed_trade_is_routed_to_its_instrument_exactly_as_printed()
    {
        var simulator = await StartSimulatorAsync();
        StartSession(Options(simulator.BinanceWebSocketBase));
        await WaitUntilSubscribedAsync(simulator);

        simulator.Resume();
        await Eventually.TrueAsync(() => _routed.Count >= 200, Patience, "no trades routed", Ct);
        simulator.Pause();
        await Eventually.TrueAsync(() => _routed.Count == simulator.GroundTruth.Count, Patience, "routed trades did not catch up", Ct);

        var printed = simulator.GroundTruth.All;
        var routed = _routed.ToArray();
        routed.Length.ShouldBe(printed.Count);
        foreach (var (trade, truth) in routed.OrderBy(t => t.Symbol).ThenBy(t => t.TradeId.Number)
                     .Zip(printed.OrderBy(t => _registry.ForExchange(Exchange.Binance).Single(i => i.ExchangeSymbol == t.ExchangeSymbol).Symbol).ThenBy(t => t.TradeId)))
        {
            trade.Instrument.ExchangeSymbol.ShouldBe(truth.ExchangeSymbol);
            trade.TradeId.ShouldBe(TradeId.FromNumber(truth.TradeId));
            trade.Price.ShouldBe(truth.Price);
            trade.Quantity.ShouldBe(truth.Quantity);
            trade.Side.ShouldBe(truth.TakerSide);
            trade.ExchangeTime.ShouldBe(truth.TradeTime, "microsecond time unit end to end");
        }

        _session!.GetStatus().TradesReceived.ShouldBe(printed.Count);
        _meters.Sum("k2.trades.received").ShouldBe(printed.Count);
    }

    [Fact]
    public async Task Subscribing_in_several_paced_messages_stays_under_the_five_per_second_limit()
    {
        var simulator = await StartSimulatorAsync();
        var options = Options(simulator.BinanceWebSocketBase);
        options.StreamsPerSubscribe = 2; // 12 symbols: six SUBSCRIBE messages, more than the 5/s limit if sent at once

        StartSession(options);
        await WaitUntilSubscribedAsync(simulator);

        _session!.GetStatus().Connections.ShouldBe(1, "the simulator would have cut a connection that broke the limit");
    }

    [Fact]
    public async Task After_the_exchange_drops_the_connection_the_session_reconnects_and_resubscribes()
    {
        var simulator = await StartSimulatorAsync();
        StartSession(Options(simulator.BinanceWebSocketBase));
        await WaitUntilSubscribedAsync(simulator);
        var firstSession = simulator.Sessions.Single().Id;

        using var http = new HttpClient { BaseAddress = simulator.BaseAddress };
        (await http.PostAsync("/control/binance/drop", null, Ct)).EnsureSuccessStatusCode();

        await Eventually.TrueAsync(() => _session!.GetStatus().Connections == 2, Patience, "no reconnect", Ct);
        await WaitUntilSubscribedAsync(simulator);
        simulator.Sessions.Single().Id.ShouldNotBe(firstSession);
        _meters.Sum("k2.exchange.reconnects").ShouldBe(1);

        simulator.Resume();
        await Eventually.TrueAsync(() => _routed.Count >= 50, Patience, "no trades after the reconnect", Ct);
    }

    [Fact]
    public async Task Stopping_while_an_instrument_cannot_take_trades_does_not_hang()
    {
        var simulator = await StartSimulatorAsync();
        var routeEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        StartSession(Options(simulator.BinanceWebSocketBase), async (_, _, cancellationToken) =>
        {
            routeEntered.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken); // a full mailbox that never drains
        });
        await WaitUntilSubscribedAsync(simulator);
        simulator.Resume();
        await routeEntered.Task.WaitAsync(Patience, Ct);

        await _stop.CancelAsync();

        await _run.WaitAsync(Patience, Ct);
        _run.IsCompletedSuccessfully.ShouldBeTrue();
    }

    [Fact]
    public async Task Stopping_closes_the_connection_with_a_close_handshake()
    {
        var simulator = await StartSimulatorAsync();
        StartSession(Options(simulator.BinanceWebSocketBase));
        await WaitUntilSubscribedAsync(simulator);

        await _stop.CancelAsync();
        await _run.WaitAsync(Patience, Ct);

        await Eventually.TrueAsync(
            () => _simulatorLogs.Entries.Any(e => e.Message.Contains("ended: ClientClosed", StringComparison.Ordinal)),
            Patience, "the simulator did not see a client close", Ct);
    }

    [Fact]
    public async Task A_connection_attempt_that_is_never_answered_times_out_and_is_retried()
    {
        // Accepts TCP connections but never answers the WebSocket upgrade.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new ConcurrentBag<TcpClient>();
        var accepting = Task.Run(async () =>
        {
            while (true)
            {
                accepted.Add(await silent.AcceptTcpClientAsync(Ct));
            }
        }, Ct);
        var options = Options(new Uri($"ws://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/binance"));
        options.ConnectTimeout = TimeSpan.FromMilliseconds(300);

        StartSession(options);

        await Eventually.TrueAsync(() => accepted.Count >= 3, Patience, "the session did not retry after the timeout", Ct);
        _session!.GetStatus().Connected.ShouldBeFalse();
        foreach (var client in accepted)
        {
            client.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run.WaitAsync(Patience);
        if (_simulator is not null)
        {
            await _simulator.DisposeAsync();
        }

        _stop.Dispose();
        _meters.Dispose();
        _simulatorLoggers.Dispose();
        _simulatorLogs.Dispose();
    }
}
