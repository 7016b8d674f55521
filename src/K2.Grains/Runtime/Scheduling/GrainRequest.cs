namespace K2.Grains.Runtime;

/// <summary>A grain call whose caller waits for the method's result or exception.</summary>
internal sealed class GrainRequest<TResult>(
    string operation, Func<object, object?[], Task> invoke, object?[] arguments, bool returnsValue) : MailboxItem
{
    private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TResult? _result;

    public override MailboxItemKind Kind => MailboxItemKind.Request;

    public override string Operation => operation;

    public Task<TResult> Completion => _completion.Task;

    public override async Task RunAsync(Grain grain)
    {
        var task = invoke(grain, arguments);
        await task;
        if (returnsValue)
        {
            _result = ((Task<TResult>)task).Result;
        }
    }

    public override void Complete(Exception? error)
    {
        switch (error)
        {
            case null:
                _completion.TrySetResult(_result!);
                break;
            case OperationCanceledException canceled:
                _completion.TrySetCanceled(canceled.CancellationToken);
                break;
            default:
                _completion.TrySetException(error);
                break;
        }
    }
}
