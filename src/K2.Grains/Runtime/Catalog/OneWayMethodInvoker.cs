namespace K2.Grains.Runtime;

/// <summary>Invokes a <see cref="OneWayAttribute"/> grain method: the caller's task is the enqueue.</summary>
internal sealed class OneWayMethodInvoker(
    string operation, Func<object, object?[], Task> invoke, GrainMethodReturnKind returnKind, int cancellationTokenIndex)
    : GrainMethodInvoker(cancellationTokenIndex)
{
    public override object Invoke(GrainReference reference, object?[] arguments)
    {
        var enqueued = reference.EnqueueAsync(new GrainOneWayRequest(operation, invoke, arguments), GetCancellationToken(arguments));
        return returnKind == GrainMethodReturnKind.ValueTask ? enqueued : enqueued.AsTask();
    }
}
