namespace K2.Grains.Runtime;

/// <summary>
/// Base class of every grain. The runtime constructs a grain from the DI container, then sets its identity, so
/// <see cref="GrainId"/>, <see cref="GrainFactory"/> and the timer and deactivation methods work from
/// <see cref="OnActivateAsync"/> on, not in the constructor.
/// </summary>
public abstract class Grain
{
    private GrainActivation? _activation;

    public GrainId GrainId => Activation.GrainId;

    protected IGrainFactory GrainFactory => Activation.GrainFactory;

    private GrainActivation Activation =>
        _activation ?? throw new InvalidOperationException(
            $"{GetType().Name} is not activated yet: grain identity and runtime services are available from OnActivateAsync on.");

    public string GetPrimaryKeyString() => GrainId.Key;

    /// <summary>Runs as the activation's first turn, before its first message.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs as the activation's last turn. Not called when <see cref="OnActivateAsync"/> failed.</summary>
    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deactivates this activation when the current turn ends; later messages go to a new activation.</summary>
    protected void DeactivateOnIdle() => Activation.DeactivateOnIdle();

    /// <summary>
    /// Calls <paramref name="callback"/> after <paramref name="dueTime"/> and then every <paramref name="period"/>, as a
    /// mailbox turn (never beside another turn). A tick is skipped while the previous one is still queued or running.
    /// The timer stops when the returned handle is disposed or the activation deactivates.
    /// </summary>
    protected IDisposable RegisterGrainTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period) =>
        Activation.RegisterTimer(callback, dueTime, period);

    internal void Attach(GrainActivation activation) => _activation = activation;
}
