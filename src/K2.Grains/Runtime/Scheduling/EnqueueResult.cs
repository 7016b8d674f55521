namespace K2.Grains.Runtime;

internal enum EnqueueResult
{
    Enqueued,
    MailboxFull,

    /// <summary>The activation is deactivating: the message belongs to the activation that follows it.</summary>
    ActivationClosed,
}
