using System.Net.WebSockets;
using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Grains.Abstractions;
using K2.Grains.Exchanges.WebSockets;
using K2.Storage.Bronze;

namespace K2.Grains.Exchanges.Sessions;

/// <summary>
/// The connection supervisor every exchange session shares; a venue supplies only its wire protocol
/// (<see cref="SubscribeAsync"/>, <see cref="OnFrameAsync"/>). It connects with a timeout, subscribes, watches for a
/// connection that has gone silent, reconnects with backoff and jitter, replaces a connection the venue asks to
/// replace with an overlapping new one (no gap: the old one closes only once the new one is subscribed), closes
/// politely on stop, and after every fresh connection tells the instruments to catch up over REST.
/// </summary>
internal abstract partial class ExchangeSession(Exchange exchange, ExchangeSessionSettings settings, SessionContext context) : IExchangeSession
{
    /// <summary>At most one rejection is logged per interval; a hostile stream must not flood the log.</summary>
    private static readonly TimeSpan RejectionLogInterval = TimeSpan.FromSeconds(1);

    private int _openConnections;
    private int _subscribed;
    private long _connections;
    private long _tradesReceived;
    private long _tradesRejected;
    private long _lastFrameTicks;
    private long _firstFrameTicks;
    private long _lastRejectionLogTicks;
    private long _rejectionsNotLogged;

    public Exchange Exchange => exchange;

    protected SessionContext Context => context;

    protected InstrumentRegistry Registry => context.Registry;

    public ExchangeSessionStatus GetStatus()
    {
        var lastFrame = Interlocked.Read(ref _lastFrameTicks);
        var firstFrame = Interlocked.Read(ref _firstFrameTicks);
        return new ExchangeSessionStatus(
            exchange.ToName(),
            Volatile.Read(ref _openConnections) > 0,
            Volatile.Read(ref _subscribed),
            Interlocked.Read(ref _connections),
            Interlocked.Read(ref _tradesReceived),
            Interlocked.Read(ref _tradesRejected),
            lastFrame == 0 ? null : new DateTimeOffset(lastFrame, TimeSpan.Zero))
        {
            FirstFrameAt = firstFrame == 0 ? null : new DateTimeOffset(firstFrame, TimeSpan.Zero),
        };
    }

    public async Task RunAsync(CancellationToken stop)
    {
        var backoff = new ReconnectBackoff(settings.ReconnectInitialDelay, settings.ReconnectMaxDelay, Random.Shared);
        var stopped = Task.Delay(Timeout.InfiniteTimeSpan, context.Time, stop);
        Running? active = null;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                active ??= await TryOpenAsync(signalsPossibleLoss: true, stop);
                if (active is null)
                {
                    if (!await DelayAsync(backoff.NextDelay(), stop))
                    {
                        break;
                    }

                    continue;
                }

                var completed = await Task.WhenAny(active.Run, active.Connection.ReplaceRequested, stopped);
                if (stop.IsCancellationRequested)
                {
                    break;
                }

                if (completed == active.Run)
                {
                    backoff.OnDisconnected(context.Time.GetUtcNow() - active.Connection.ConnectedAt);
                    active.Dispose();
                    active = null;
                    var delay = backoff.NextDelay();
                    LogReconnecting(context.Logger, exchange, delay);
                    if (!await DelayAsync(delay, stop))
                    {
                        break;
                    }

                    continue;
                }

                active = await ReplaceAsync(active, await active.Connection.ReplaceRequested, backoff, stop);
            }
        }
        finally
        {
            if (active is not null)
            {
                await CloseAsync(active);
                active.Dispose();
            }
        }
    }

    /// <summary>Sends the venue's subscribe requests on a new connection; call <see cref="SessionConnection.MarkSubscribed"/> once all are acknowledged.</summary>
    protected abstract Task SubscribeAsync(SessionConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// Runs beside the receive loop for the connection's whole life; venues that must show activity (Kraken closes a
    /// client silent for a minute) send application pings here. Returns at once by default.
    /// </summary>
    protected virtual Task KeepAliveAsync(SessionConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Handles one frame: parse, then <see cref="AcceptAsync"/> its trades and rejections, and act on control messages.</summary>
    protected abstract Task OnFrameAsync(SessionConnection connection, long frameNumber, ReadOnlyMemory<byte> frame, UnixMicros receivedAt, CancellationToken stop);

    /// <summary>How many streams or products the venue has confirmed on the live connection (for status).</summary>
    protected void SetSubscribed(int count) => Volatile.Write(ref _subscribed, count);

    /// <summary>
    /// Keeps every trade and rejection of a frame in bronze (with the frame itself), then hands the valid trades to
    /// their instruments, in frame order. Awaiting it is back-pressure; <paramref name="stop"/> cancels the wait.
    /// </summary>
    protected async Task AcceptAsync(
        SessionConnection connection, long frameNumber, ReadOnlyMemory<byte> frame, UnixMicros receivedAt,
        List<Trade> trades, List<TradeRejection> rejections, CancellationToken stop)
    {
        if (trades.Count == 0 && rejections.Count == 0)
        {
            return;
        }

        // The frame is kept once, on its first row; the others point at it by connection and frame number.
        ReadOnlyMemory<byte> RawFor(int index) => index == 0 ? frame.ToArray() : ReadOnlyMemory<byte>.Empty;
        var bronze = context.Bronze.For(exchange);
        var index = 0;
        foreach (var trade in trades)
        {
            await bronze.WriteAsync(BronzeTrade.Accepted(trade, BronzeSource.WebSocket, connection.Id, frameNumber, index, RawFor(index++)), stop);
        }

        foreach (var rejection in rejections)
        {
            await bronze.WriteAsync(BronzeTrade.Rejected(rejection, receivedAt, BronzeSource.WebSocket, connection.Id, frameNumber, index, RawFor(index++)), stop);
            Interlocked.Increment(ref _tradesRejected);
            context.Metrics.Rejected(exchange, rejection.Reason);
            LogRejectedThrottled(rejection, connection, frameNumber, frame.Span);
        }

        if (trades.Count == 0)
        {
            return;
        }

        Interlocked.Add(ref _tradesReceived, trades.Count);
        context.Metrics.Received(exchange, trades.Count);
        await RouteInOrderAsync(trades, stop);
    }

    /// <summary>Routes trades to their instruments, one call per run of consecutive trades of the same instrument.</summary>
    private async Task RouteInOrderAsync(List<Trade> trades, CancellationToken stop)
    {
        var start = 0;
        for (var i = 1; i <= trades.Count; i++)
        {
            if (i == trades.Count || !ReferenceEquals(trades[i].Instrument, trades[start].Instrument))
            {
                await context.Route(trades[start].Instrument, trades.GetRange(start, i - start), stop);
                start = i;
            }
        }
    }

    private async Task<Running?> TryOpenAsync(bool signalsPossibleLoss, CancellationToken stop)
    {
        ExchangeWebSocket socket;
        try
        {
            socket = await ExchangeWebSocket.ConnectAsync(
                settings.Uri, settings.ConnectTimeout, settings.KeepAliveInterval, settings.KeepAliveTimeout, context.Time, stop);
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            LogConnectFailed(context.Logger, exchange, settings.Uri, e.GetBaseException().Message);
            return null;
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            return null; // stopping: whatever the attempt met (cancelled, or refused as the stop began) no longer matters
        }

        var number = Interlocked.Increment(ref _connections);
        if (number > 1)
        {
            context.Metrics.Reconnected(exchange);
        }

        var connection = new SessionConnection(
            socket, $"{context.Source}/{K2.Grains.Ingest.ProcessInstance.Id}/{number}", signalsPossibleLoss,
            new OutgoingMessageLimiter(settings.MaxOutgoingMessagesPerSecond, context.Time), context.Time);
        LogConnected(context.Logger, exchange, connection.Id, settings.Uri);
        var abandon = new CancellationTokenSource();
        return new Running(connection, RunConnectionAsync(connection, abandon, stop), abandon, context.Time);
    }

    /// <summary>Receives until the server closes, the connection fails or goes stale, or it is abandoned.</summary>
    private async Task RunConnectionAsync(SessionConnection connection, CancellationTokenSource abandon, CancellationToken stop)
    {
        await Task.Yield(); // the caller gets the Running handle before the first frame is handled
        Interlocked.Increment(ref _openConnections);
        context.Metrics.ConnectionOpened(exchange);
        var subscribing = SubscribeWithinTimeoutAsync(connection, abandon);
        var keepingAlive = KeepAliveAsync(connection, abandon.Token);
        using var watchdog = context.Time.CreateTimer(_ => Watch(connection, abandon), null, settings.StaleAfter / 4, settings.StaleAfter / 4);
        using var aging = settings.RotateAfter is { } age
            ? context.Time.CreateTimer(_ => connection.RequestReplacement($"connection age {age}"), null, age, Timeout.InfiniteTimeSpan)
            : null;
        try
        {
            while (true)
            {
                connection.WaitingForData();
                if (await connection.Socket.ReceiveAsync(abandon.Token) is not { } frame)
                {
                    break;
                }

                var number = connection.OnFrame();
                var receivedAt = context.Time.GetUtcNow().UtcTicks;
                Interlocked.Exchange(ref _lastFrameTicks, receivedAt);
                Interlocked.CompareExchange(ref _firstFrameTicks, receivedAt, 0);
                if (number == 1 && connection.SignalsPossibleLoss)
                {
                    // Before any of this connection's trades is routed, so each instrument's catch-up starts from
                    // where it stood when the stream broke, not from a snapshot the new connection sends first.
                    await context.SignalPossibleLoss($"{connection.Id} opened", stop);
                }

                await OnFrameAsync(connection, number, frame, connection.Now(), stop);
            }

            if (!stop.IsCancellationRequested)
            {
                LogClosedByServer(context.Logger, exchange, connection.Id);
            }
        }
        catch (OperationCanceledException) when (abandon.IsCancellationRequested || stop.IsCancellationRequested)
        {
            // Abandoned (stale, unsubscribed, close timed out) or the session stopped while routing.
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            // A network failure is an event, not a bug: the reason without a stack trace.
            LogConnectionLost(context.Logger, exchange, connection.Id, e.GetBaseException().Message);
        }
        catch (Exception e)
        {
            // A bug in frame handling must not kill the session: log it loudly and reconnect.
            LogFrameHandlingFailed(context.Logger, e, exchange, connection.Id);
        }
        finally
        {
            context.Metrics.ConnectionClosed(exchange);
            if (Interlocked.Decrement(ref _openConnections) == 0)
            {
                SetSubscribed(0);
            }

            await abandon.CancelAsync();
            try
            {
                await Task.WhenAll(subscribing, keepingAlive);
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException or IOException)
            {
                // The connection is over; the next one subscribes afresh.
            }

            await connection.Socket.DisposeAsync();
        }
    }

    private async Task SubscribeWithinTimeoutAsync(SessionConnection connection, CancellationTokenSource abandon)
    {
        await SubscribeAsync(connection, abandon.Token);
        using var timeout = new CancellationTokenSource(settings.SubscribeTimeout, context.Time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, abandon.Token);
        try
        {
            await connection.Subscribed.WaitAsync(either.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !abandon.IsCancellationRequested)
        {
            LogSubscribeTimedOut(context.Logger, exchange, connection.Id, settings.SubscribeTimeout);
            await abandon.CancelAsync();
        }
    }

    /// <summary>A connection that has been silent too long is dead even if TCP says otherwise: drop it and reconnect.</summary>
    private void Watch(SessionConnection connection, CancellationTokenSource abandon)
    {
        var silent = connection.Silence;
        if (silent >= settings.StaleAfter && !abandon.IsCancellationRequested)
        {
            LogStale(context.Logger, exchange, connection.Id, silent);
            try
            {
                abandon.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Ended meanwhile.
            }
        }
    }

    /// <summary>
    /// Opens a successor and switches to it once it is subscribed, retrying with backoff while the old connection lives.
    /// Returns the connection to carry on with: the successor; the old one when stopping (the caller closes it); or
    /// null when the old one ended first, so the caller reconnects the ordinary way, catching up.
    /// </summary>
    private async Task<Running?> ReplaceAsync(Running current, string reason, ReconnectBackoff backoff, CancellationToken stop)
    {
        LogReplacing(context.Logger, exchange, current.Connection.Id, reason);
        while (!stop.IsCancellationRequested && !current.Run.IsCompleted)
        {
            if (await TryOpenAsync(signalsPossibleLoss: false, stop) is { } successor)
            {
                try
                {
                    await successor.Connection.Subscribed.WaitAsync(settings.SubscribeTimeout, context.Time, stop);
                    if (current.Run.IsCompleted)
                    {
                        // The old connection ended before the new one was ready: trades in between may be missing.
                        await context.SignalPossibleLoss($"{current.Connection.Id} ended before {successor.Connection.Id} was subscribed", stop);
                    }

                    await CloseAsync(current);
                    current.Dispose();
                    LogReplaced(context.Logger, exchange, successor.Connection.Id);
                    return successor;
                }
                catch (Exception e) when (e is TimeoutException or OperationCanceledException)
                {
                    await CloseAsync(successor);
                    successor.Dispose();
                }
            }

            try
            {
                await Task.WhenAny(current.Run, Task.Delay(backoff.NextDelay(), context.Time, stop));
            }
            catch (OperationCanceledException)
            {
                // Stopping: handled below.
            }
        }

        if (stop.IsCancellationRequested)
        {
            return current;
        }

        current.Dispose();
        return null;
    }

    /// <summary>Closes politely: our close frame, then the server's answer ends the receive loop, or the close timeout does.</summary>
    private async Task CloseAsync(Running running)
    {
        running.AbandonAfter(settings.CloseTimeout);
        try
        {
            await running.Connection.Socket.CloseOutputAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or IOException or InvalidOperationException)
        {
            await running.Abandon.CancelAsync();
        }

        await running.Run;
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, context.Time, stop);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void LogRejectedThrottled(TradeRejection rejection, SessionConnection connection, long frameNumber, ReadOnlySpan<byte> frame)
    {
        var now = context.Time.GetUtcNow().UtcTicks;
        var last = Interlocked.Read(ref _lastRejectionLogTicks);
        if (now - last < RejectionLogInterval.Ticks || Interlocked.CompareExchange(ref _lastRejectionLogTicks, now, last) != last)
        {
            Interlocked.Increment(ref _rejectionsNotLogged);
            return;
        }

        LogRejected(context.Logger, exchange, rejection.Reason.ToName(), rejection.Detail, connection.Id, frameNumber, Excerpt(frame),
            Interlocked.Exchange(ref _rejectionsNotLogged, 0));
    }

    /// <summary>The start of a frame for a log line: a hostile or broken stream must not flood the log.</summary>
    private static string Excerpt(ReadOnlySpan<byte> frame)
    {
        const int MaxLoggedBytes = 1024;
        return frame.Length <= MaxLoggedBytes
            ? System.Text.Encoding.UTF8.GetString(frame)
            : $"{System.Text.Encoding.UTF8.GetString(frame[..MaxLoggedBytes])}… ({frame.Length} bytes)";
    }

    /// <summary>A connection the supervisor runs: its receive loop and the means to abandon it.</summary>
    private sealed class Running(SessionConnection connection, Task run, CancellationTokenSource abandon, TimeProvider time) : IDisposable
    {
        private ITimer? _abandonTimer;

        public SessionConnection Connection { get; } = connection;

        public Task Run { get; } = run;

        public CancellationTokenSource Abandon { get; } = abandon;

        public void AbandonAfter(TimeSpan delay) =>
            _abandonTimer ??= time.CreateTimer(_ => Cancel(), null, delay, Timeout.InfiniteTimeSpan);

        public void Dispose()
        {
            _abandonTimer?.Dispose();
            Abandon.Dispose();
        }

        private void Cancel()
        {
            try
            {
                Abandon.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Already over.
            }
        }
    }
}
