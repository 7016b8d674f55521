using K2.Core;
using K2.Core.Instruments;
using K2.Simulator.Hosting;

namespace K2.Simulator.Market;

/// <summary>
/// Prints trades for every instrument of every served exchange on a timer, whether or not anyone listens, like a
/// real exchange: each trade goes to the ground truth first and then to its venue, which only queues it per session,
/// so a slow client never slows printing down.
/// </summary>
internal sealed partial class MarketGenerator : IDisposable
{
    /// <summary>How often the trades that fell due are printed.</summary>
    public static readonly TimeSpan PrintInterval = TimeSpan.FromMilliseconds(10);

    private readonly Lock _gate = new();
    private readonly (InstrumentTape Tape, IExchangeVenue Venue)[] _tapes;
    private readonly GroundTruth _groundTruth;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private ITimer? _timer;
    private long _lastTick;
    private bool _paused;

    public MarketGenerator(
        IReadOnlyList<IExchangeVenue> venues, InstrumentRegistry registry, SimulatorOptions options, GroundTruth groundTruth,
        TimeProvider time, ILogger<MarketGenerator> logger)
    {
        var firstTradeId = time.GetUtcNow().ToUnixTimeMilliseconds();
        _tapes =
        [
            .. venues.SelectMany(venue =>
            {
                var instruments = registry.ForExchange(venue.Exchange);
                var perInstrument = instruments.Count == 0 ? 0 : options.TradesPerSecond / instruments.Count;
                return instruments.Select(instrument => (new InstrumentTape(instrument, firstTradeId, options.Seed, perInstrument), venue));
            }),
        ];
        _groundTruth = groundTruth;
        _time = time;
        _logger = logger;
        _paused = options.StartPaused;
    }

    public void Start()
    {
        lock (_gate)
        {
            _lastTick = _time.GetTimestamp();
            _timer = _time.CreateTimer(_ => Tick(), null, PrintInterval, PrintInterval);
        }
    }

    public void Pause()
    {
        lock (_gate)
        {
            _paused = true;
        }

        LogPaused(_logger);
    }

    public void Resume()
    {
        lock (_gate)
        {
            _paused = false;
        }

        LogResumed(_logger);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void Tick()
    {
        // The timer may fire again while a tick is still printing; trades due are computed from elapsed time,
        // so the next tick catches up with whatever this one skipped.
        if (!_gate.TryEnter())
        {
            return;
        }

        try
        {
            if (_timer is null)
            {
                return;
            }

            var now = _time.GetTimestamp();
            var elapsed = _time.GetElapsedTime(_lastTick, now);
            _lastTick = now;
            if (_paused)
            {
                return;
            }

            var printedAt = UnixMicros.Now(_time);
            foreach (var (tape, venue) in _tapes)
            {
                for (var due = tape.TakeDue(elapsed); due > 0; due--)
                {
                    var trade = tape.Print(printedAt);
                    _groundTruth.Append(trade);
                    venue.Publish(trade);
                }
            }
        }
        finally
        {
            _gate.Exit();
        }
    }

    [LoggerMessage(EventId = SimulatorEventIds.Paused, Level = LogLevel.Information, Message = "Trade printing paused")]
    private static partial void LogPaused(ILogger logger);

    [LoggerMessage(EventId = SimulatorEventIds.Resumed, Level = LogLevel.Information, Message = "Trade printing resumed")]
    private static partial void LogResumed(ILogger logger);
}
