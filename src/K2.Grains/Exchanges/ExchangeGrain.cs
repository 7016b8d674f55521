using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Grains.Abstractions;
using K2.Grains.Runtime;

namespace K2.Grains.Exchanges;

/// <summary>
/// Owns one exchange session. The session's receive loop runs beside the grain's turns (it is long-lived I/O, not a
/// message); the grain starts and stops it and routes its trades to instrument grains.
/// </summary>
[KeepAlive]
internal sealed class ExchangeGrain(ExchangeSessionFactory sessions) : Grain, IExchangeGrain
{
    private IExchangeSession? _session;
    private CancellationTokenSource? _stop;
    private Task _run = Task.CompletedTask;

    public Task StartAsync()
    {
        if (_stop is not null)
        {
            return Task.CompletedTask;
        }

        if (!ExchangeNames.TryParse(GetPrimaryKeyString(), out var exchange))
        {
            throw new InvalidOperationException($"'{GetPrimaryKeyString()}' is not an exchange.");
        }

        _session ??= sessions.Create(exchange, RouteAsync);
        _stop = new CancellationTokenSource();
        var session = _session;
        var token = _stop.Token;
        _run = Task.Run(() => session.RunAsync(token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stop is null)
        {
            return;
        }

        await _stop.CancelAsync();
        await _run.WaitAsync(cancellationToken);
        _stop.Dispose();
        _stop = null;
    }

    public Task<ExchangeSessionStatus> GetStatusAsync() =>
        Task.FromResult(_session?.GetStatus() ?? new ExchangeSessionStatus(GetPrimaryKeyString(), false, 0, 0, 0, 0, null));

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => StopAsync(cancellationToken);

    private Task RouteAsync(Instrument instrument, IReadOnlyList<Trade> trades, CancellationToken cancellationToken) =>
        GrainFactory.GetGrain<IInstrumentGrain>(instrument.Key).OnTradesAsync(trades, cancellationToken);
}
