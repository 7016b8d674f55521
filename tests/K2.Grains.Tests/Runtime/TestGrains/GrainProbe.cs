using K2.Grains.Runtime;

namespace K2.Grains.Tests.Runtime.TestGrains;

/// <summary>
/// Shared between a test and its grains (registered as a singleton): records what the grains did and lets the test
/// hold a grain inside a turn, its activation or its deactivation.
/// </summary>
public sealed class GrainProbe
{
    private readonly Lock _gate = new();
    private readonly List<string> _events = [];
    private readonly List<(string Key, int Value)> _recorded = [];
    private int _activations;
    private int _turnsRunning;
    private int _maxTurnsRunning;
    private int _ticks;

    /// <summary>Set when a grain enters <see cref="IProbeGrain.BlockAsync"/>.</summary>
    public TaskCompletionSource BlockEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets every blocked grain turn finish.</summary>
    public TaskCompletionSource BlockReleased { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Runs inside OnActivateAsync with the activation's number (1, 2, …).</summary>
    public Func<GrainId, int, Task>? OnActivate { get; set; }

    /// <summary>Runs inside OnDeactivateAsync.</summary>
    public Func<GrainId, DeactivationReason, Task>? OnDeactivate { get; set; }

    /// <summary>Runs inside every timer tick with the total tick count so far.</summary>
    public Action<int>? OnTick { get; set; }

    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public IReadOnlyList<(string Key, int Value)> Recorded
    {
        get
        {
            lock (_gate)
            {
                return [.. _recorded];
            }
        }
    }

    public int Ticks => Volatile.Read(ref _ticks);

    /// <summary>The most turns of one grain that ever ran at once; the runtime promises 1.</summary>
    public int MaxTurnsRunning => Volatile.Read(ref _maxTurnsRunning);

    public int NextActivationNumber() => Interlocked.Increment(ref _activations);

    public void AddEvent(string description)
    {
        lock (_gate)
        {
            _events.Add(description);
        }
    }

    public void Record(string key, int value)
    {
        lock (_gate)
        {
            _recorded.Add((key, value));
        }
    }

    public void CountTick()
    {
        var ticks = Interlocked.Increment(ref _ticks);
        OnTick?.Invoke(ticks);
    }

    /// <summary>Call at the start of a turn, then yield, then <see cref="ExitTurn"/>: overlapping turns would show in <see cref="MaxTurnsRunning"/>.</summary>
    public void EnterTurn()
    {
        var running = Interlocked.Increment(ref _turnsRunning);
        int max;
        while (running > (max = Volatile.Read(ref _maxTurnsRunning)))
        {
            Interlocked.CompareExchange(ref _maxTurnsRunning, running, max);
        }
    }

    public void ExitTurn() => Interlocked.Decrement(ref _turnsRunning);
}
