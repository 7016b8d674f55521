using K2.Grains.Runtime;

namespace K2.Grains.Tests.Runtime.TestGrains;

public sealed class ProbeGrain(GrainProbe probe) : Grain, IProbeGrain
{
    private int _activationNumber;
    private IDisposable? _timer;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _activationNumber = probe.NextActivationNumber();
        probe.AddEvent($"activate #{_activationNumber}");
        if (probe.OnActivate is { } onActivate)
        {
            await onActivate(GrainId, _activationNumber);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (probe.OnDeactivate is { } onDeactivate)
        {
            await onDeactivate(GrainId, reason);
        }

        probe.AddEvent($"deactivated #{_activationNumber} {reason.Code}");
    }

    public Task<int> GetActivationNumberAsync() => Task.FromResult(_activationNumber);

    public Task<GrainId> GetGrainIdAsync() => Task.FromResult(GrainId);

    public Task<string> EchoAsync(string value)
    {
        probe.AddEvent($"echo {value} on #{_activationNumber}");
        return Task.FromResult(value);
    }

    public ValueTask<int> DoubleAsync(int value) => ValueTask.FromResult(value * 2);

    public ValueTask TouchAsync() => ValueTask.CompletedTask;

    public async Task RecordAsync(int value)
    {
        probe.EnterTurn();
        await Task.Yield();
        probe.Record(GetPrimaryKeyString(), value);
        probe.ExitTurn();
    }

    public Task RecordWithCancellationAsync(int value, CancellationToken cancellationToken) => RecordAsync(value);

    public async Task BlockAsync()
    {
        probe.BlockEntered.TrySetResult();
        await probe.BlockReleased.Task;
    }

    public Task ThrowAsync(string message) => throw new InvalidOperationException(message);

    public Task ThrowOneWayAsync(string message) => throw new InvalidOperationException(message);

    public Task DeactivateAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task StartTimerAsync(TimeSpan dueTime, TimeSpan period)
    {
        _timer = RegisterGrainTimer(
            async _ =>
            {
                probe.EnterTurn();
                await Task.Yield();
                probe.CountTick();
                probe.ExitTurn();
            },
            dueTime,
            period);
        return Task.CompletedTask;
    }

    public Task StopTimerAsync()
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public Task<string> EchoThroughAsync(string otherKey, string value) =>
        GrainFactory.GetGrain<IProbeGrain>(otherKey).EchoAsync(value);
}
