namespace K2.Grains.Runtime;

/// <summary>A <see cref="OneWayAttribute"/> grain call. Its caller stopped waiting when it was enqueued.</summary>
internal sealed class GrainOneWayRequest(string operation, Func<object, object?[], Task> invoke, object?[] arguments)
    : MailboxItem
{
    public override MailboxItemKind Kind => MailboxItemKind.OneWayRequest;

    public override string Operation => operation;

    public override Task RunAsync(Grain grain) => invoke(grain, arguments);

    // Nobody waits for the outcome; the activation logs and counts failures.
    public override void Complete(Exception? error)
    {
    }
}
