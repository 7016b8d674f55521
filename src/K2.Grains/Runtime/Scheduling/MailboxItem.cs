namespace K2.Grains.Runtime;

/// <summary>One entry of an activation's mailbox, run by the activation as one turn.</summary>
internal abstract class MailboxItem
{
    public abstract MailboxItemKind Kind { get; }

    /// <summary>What the entry does, for logs: the grain method (<c>IFooGrain.BarAsync</c>) or <c>timer</c>.</summary>
    public abstract string Operation { get; }

    public abstract Task RunAsync(Grain grain);

    /// <summary>
    /// Reports the outcome to whoever waits for it. Called after the turn's bookkeeping, so a caller that sees its
    /// result also sees the statistics that include it; also called with the reason for entries that never ran.
    /// </summary>
    public abstract void Complete(Exception? error);
}
