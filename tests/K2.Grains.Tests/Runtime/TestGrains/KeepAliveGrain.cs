using K2.Grains.Runtime;

namespace K2.Grains.Tests.Runtime.TestGrains;

[KeepAlive]
public sealed class KeepAliveGrain(GrainProbe probe) : Grain, IKeepAliveGrain
{
    private int _activationNumber;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _activationNumber = probe.NextActivationNumber();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        probe.AddEvent($"keepalive deactivated {reason.Code}");
        return Task.CompletedTask;
    }

    public Task<int> GetActivationNumberAsync() => Task.FromResult(_activationNumber);
}
