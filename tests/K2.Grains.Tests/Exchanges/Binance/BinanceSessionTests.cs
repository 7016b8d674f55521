using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Grains.Configuration;
using K2.Grains.Exchanges;
using K2.Grains.Exchanges.Binance;
using K2.Grains.Exchanges.Sessions;
using K2.Grains.Ingest;
using K2.Grains.Tests.Support;
using K2.Storage.ClickHouse;
using K2.Simulator;
using K2.Testing;
using K2.Testing.Grains;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Grains.Tests.Exchanges.Binance;

/// <summary>The Binance session against the simulator on loopback: real sockets, real frames, the real bronze writer, no grains.</summary>
public sealed class BinanceSessionTests(EmbeddedClickHouseFixture fixture) : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly InstrumentRegistry _registry = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);
    private readonly CapturingLoggerProvider _simulatorLogs = new();
    private ILoggerFactory? _simulatorLoggers;
    private readonly TestMeterFactory _meters = new();
    private readonly ConcurrentQueue<Trade> _routed = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _lossSignals = new();
    private RunningHotStore? _store;
    private ExchangeSimulator? _simulator;
    private BinanceSession? _session;
    private Task _run = Task.CompletedTask;

    private ILoggerFactory SimulatorLoggers => _simulatorLoggers ??= LoggerFactory.Create(b => b.AddProvider(_simulatorLogs));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private int BinanceSymbols => _registry.ForExchange(Exchange.Binance).Count;

    private async Task<ExchangeSimulator> StartSimulatorAsync()
    {
        _simulator = await ExchangeSimulator.StartAsync(
            new SimulatorOptions { StartPaused = true, TradesPerSecond = 240 }, _registry, SimulatorLoggers, Ct);
        return _simulator;
    }

    /// <summary>The simulator prints for every exchange it serves; these tests look at Binance's tape only.</summary>
    private static IReadOnlyList<PrintedTrade> PrintedOnBinance(ExchangeSimulator simulator) =>
        [.. simulator.GroundTruth.All.Where(t => t.Exchange == Exchange.Binance)];

    private BinanceOptions Options(Uri webSocketBase) => new()
    {
        WebSocketBase = webSocketBase,
        ReconnectInitialDelay = TimeSpan.FromMilliseconds(50),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
    };

    private async Task StartSessionAsync(BinanceOptions options, TradeRoute? route = null)
    {
        _store = await RunningHotStore.StartAsync(fixture, Ct);
        route ??= (_, trades, _) =>
        {
            foreach (var trade in trades)
            {
                _routed.Enqueue(trade);
            }

            return Task.CompletedTask;
        };
        PossibleLoss signal = (reason, _) =>
        {
            _lossSignals.Enqueue(reason);
            return Task.CompletedTask;
        };
        var context = new SessionContext(
            _registry, route, signal, _store.Bronze, new IngestMetrics(_meters), TimeProvider.System, NullLogger.Instance, "binance");
        _session = new BinanceSession(options, context);
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
        await StartSessionAsync(Options(simulator.BinanceWebSocketBase));
        await WaitUntilSubscribedAsync(simulator);

        simulator.Resume();
        await Eventually.TrueAsync(() => _routed.Count >= 200, Patience, "no trades routed", Ct);
        simulator.Pause();
        await Eventually.TrueAsync(() => _routed.Count == PrintedOnBinance(simulator).Count, Patience, "routed trades did not catch up", Ct);

        var printed = PrintedOnBinance(simulator);
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
    public async Task Every_received_trade_is_kept_in_bronze_with_its_frame_and_connection()
    {
        var simulator = await StartSimulatorAsync();
        await StartSessionAsync(Options(simulator.BinanceWebSocketBase));
        await WaitUntilSubscribedAsync(simulator);
        simulator.Resume();
        await Eventually.TrueAsync(() => _routed.Count >= 50, Patience, "no trades routed", Ct);
        simulator.Pause();
        await Eventually.TrueAsync(() => _routed.Count == PrintedOnBinance(simulator).Count, Patience, "routed trades did not catch up", Ct);

        var bronze = _store!.Bronze.For(Exchange.Binance);
        await Eventually.TrueAsync(() => bronze.RowsWritten == _routed.Count, Patience, "bronze rows not written", Ct);
        var database = _store!.Database;
        var rows = await fixture.ClickHouse.QueryAsync(
            $"SELECT count(), uniqExact(symbol, trade_id), countIf(source = 'websocket' AND reject_reason = '' AND raw_frame LIKE '%\"e\":\"trade\"%'), uniqExact(connection_id), uniqExact(frame_seq), min(frame_seq) FROM {database}.bronze_trades_binance",
            null, ClickHouseFormats.TabSeparated, static data => System.Text.Encoding.UTF8.GetString(data).Trim(), Ct);

        // One trade per Binance frame, so one frame number each; frame 1 was the SUBSCRIBE answer.
        rows.ShouldBe($"{_routed.Count}\t{_routed.Count}\t{_routed.Count}\t1\t{_routed.Count}\t2");
    }

    [Fact]
    public async Task Instruments_are_told_to_catch_up_once_each_new_connection_is_subscribed()
    {
        var simulator = await StartSimulatorAsync();
        await StartSessionAsync(Options(simulator.BinanceWebSocketBase));
        await WaitUntilSubscribedAsync(simulator);
        await Eventually.TrueAsync(() => _lossSignals.Count == 1, Patience, "no catch-up after the first subscription", Ct);
        var firstFrameAt = _session!.GetStatus().FirstFrameAt.ShouldNotBeNull();

        simulator.Faults.DropConnections(Exchange.Binance);

        await Eventually.TrueAsync(() => _lossSignals.Count == 2, Patience, "no catch-up after the reconnect", Ct);
        // The session's first frame stays that of its first connection: when the shard began streaming, not the reconnect.
        var status = _session.GetStatus();
        status.FirstFrameAt.ShouldBe(firstFrameAt);
        status.LastFrameAt.ShouldNotBeNull().ShouldBeGreaterThan(firstFrameAt);
    }

    [Fact]
    public async Task An_aged_connection_is_replaced_by_an_overlapping_one_without_losing_a_trade()
    {
        var simulator = await StartSimulatorAsync();
        var options = Options(simulator.BinanceWebSocketBase);
        options.RotateAfter = TimeSpan.FromSeconds(1.5);
        await StartSessionAsync(options);
        await WaitUntilSubscribedAsync(simulator);
        simulator.Resume();

        await Eventually.TrueAsync(() => _session!.GetStatus().Connections >= 3, Patience, "the connection was not replaced twice", Ct);
        simulator.Pause();
        await Eventually.TrueAsync(
            () => PrintedOnBinance(simulator).All(t => _routed.Any(r => r.TradeId.Number == t.TradeId && r.Instrument.ExchangeSymbol == t.ExchangeSymbol)),
            Patience, "a trade printed during a replacement never arrived", Ct);

        _lossSignals.Count.ShouldBe(1, "an overlapping replacement loses nothing, so nothing needs catching up");
        _meters.Sum("k2.exchange.reconnects").ShouldBeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public async Task Subscribing_in_several_paced_messages_stays_under_the_five_per_second_limit()
    {
        var simulator = await StartSimulatorAsync();
        var options = Options(simulator.BinanceWebSocketBase);
        options.StreamsPerSubscribe = 2; // 12 symbols: six SUBSCRIBE messages, more than the 5/s limit if sent at once

        await StartSessionAsync(options);
        await WaitUntilSubscribedAsync(simulator);

        _session!.GetStatus().Connections.ShouldBe(1, "the simulator would have cut a connection that broke the limit");
    }

    [Fact]
    public async Task After_the_exchange_drops_the_connection_the_session_reconnects_and_resubscribes()
    {
        var simulator = await StartSimulatorAsync();
        await StartSessionAsync(Options(simulator.BinanceWebSocketBase));
        await WaitUntilSubscribedAsync(simulator);
        var firstSession = simulator.Sessions.Single().Id;

        simulator.Faults.DropConnections(Exchange.Binance);

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
        await StartSessionAsync(Options(simulator.BinanceWebSocketBase), async (_, _, cancellationToken) =>
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
        await StartSessionAsync(Options(simulator.BinanceWebSocketBase));
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

        await StartSessionAsync(options);

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

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        _stop.Dispose();
        _meters.Dispose();
        _simulatorLoggers?.Dispose();
        _simulatorLogs.Dispose();
    }
}
