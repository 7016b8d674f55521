namespace K2.Grains.Runtime;

/// <summary>Invokes a request/response grain method; <typeparamref name="TResult"/> is <c>object</c> for Task and ValueTask.</summary>
internal sealed class RequestMethodInvoker<TResult>(
    string operation, Func<object, object?[], Task> invoke, GrainMethodReturnKind returnKind, int cancellationTokenIndex)
    : GrainMethodInvoker(cancellationTokenIndex)
{
    private readonly bool _returnsValue = returnKind is GrainMethodReturnKind.TaskOfResult or GrainMethodReturnKind.ValueTaskOfResult;

    public override object Invoke(GrainReference reference, object?[] arguments)
    {
        var request = new GrainRequest<TResult>(operation, invoke, arguments, _returnsValue);
        var enqueued = reference.EnqueueAsync(request, GetCancellationToken(arguments));
        if (!enqueued.IsCompletedSuccessfully)
        {
            _ = FailIfNotEnqueuedAsync(enqueued, request);
        }

        return returnKind switch
        {
            GrainMethodReturnKind.Task or GrainMethodReturnKind.TaskOfResult => request.Completion,
            GrainMethodReturnKind.ValueTask => new ValueTask(request.Completion),
            _ => new ValueTask<TResult>(request.Completion),
        };
    }

    /// <summary>A call that never reached a mailbox (cancelled, or the runtime is shutting down) fails its caller.</summary>
    private static async Task FailIfNotEnqueuedAsync(ValueTask enqueued, GrainRequest<TResult> request)
    {
        try
        {
            await enqueued;
        }
        catch (Exception exception)
        {
            request.Complete(exception);
        }
    }
}
