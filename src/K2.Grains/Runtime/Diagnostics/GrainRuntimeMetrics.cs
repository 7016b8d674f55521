using System.Diagnostics.Metrics;

namespace K2.Grains.Runtime;

/// <summary>The runtime's instruments on the <c>K2.Grains</c> meter, and the running totals behind the statistics.</summary>
internal sealed class GrainRuntimeMetrics
{
    public const string MeterName = "K2.Grains";

    private readonly GrainTypeRegistry _registry;
    private readonly Func<IReadOnlyList<GrainActivation>> _listActivations;
    private readonly Counter<long> _messages;
    private readonly Counter<long> _errors;
    private long _activationsCreated;
    private long _messagesProcessed;
    private long _errorCount;

    public GrainRuntimeMetrics(
        IMeterFactory meterFactory, GrainTypeRegistry registry, Func<IReadOnlyList<GrainActivation>> listActivations)
    {
        _registry = registry;
        _listActivations = listActivations;
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge(
            "k2.grains.activations", () => Measure(_ => 1), "{activation}", "Live grain activations.");
        meter.CreateObservableGauge(
            "k2.grains.mailbox.depth", () => Measure(activation => activation.MailboxDepth), "{message}", "Messages waiting in grain mailboxes.");
        _messages = meter.CreateCounter<long>("k2.grains.messages", "{message}", "Grain calls processed, failed ones included.");
        _errors = meter.CreateCounter<long>(
            "k2.grains.errors", "{error}", "Failed grain calls, timer callbacks, activations and deactivations.");
    }

    public long TotalActivations => Interlocked.Read(ref _activationsCreated);

    public long TotalMessages => Interlocked.Read(ref _messagesProcessed);

    public long TotalErrors => Interlocked.Read(ref _errorCount);

    public void RecordActivation() => Interlocked.Increment(ref _activationsCreated);

    public void RecordMessage(GrainTypeRegistration grainType)
    {
        Interlocked.Increment(ref _messagesProcessed);
        _messages.Add(1, grainType.MetricTag);
    }

    public void RecordError(GrainTypeRegistration grainType)
    {
        Interlocked.Increment(ref _errorCount);
        _errors.Add(1, grainType.MetricTag);
    }

    /// <summary>Sums <paramref name="measure"/> per grain type; registered types without activations report 0.</summary>
    private IEnumerable<Measurement<int>> Measure(Func<GrainActivation, int> measure)
    {
        var totals = _registry.All.ToDictionary(grainType => grainType, _ => 0);
        foreach (var activation in _listActivations())
        {
            totals[activation.GrainType] += measure(activation);
        }

        return totals.Select(total => new Measurement<int>(total.Value, total.Key.MetricTag));
    }
}
