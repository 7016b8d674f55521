namespace K2.Grains.Runtime;

internal enum MailboxItemKind
{
    /// <summary>A grain call whose caller waits for the result.</summary>
    Request,

    /// <summary>A <see cref="OneWayAttribute"/> grain call: the caller stopped waiting once it was enqueued.</summary>
    OneWayRequest,

    /// <summary>A grain timer's callback; not a message, so it neither counts as one nor keeps the grain active.</summary>
    TimerTick,
}
