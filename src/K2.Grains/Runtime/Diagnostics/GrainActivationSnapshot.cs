namespace K2.Grains.Runtime;

/// <param name="GrainType">The grain type name, as in <see cref="GrainId.Type"/>.</param>
/// <param name="Key">The grain key.</param>
/// <param name="MailboxDepth">Messages waiting in the mailbox, not counting the one being processed.</param>
/// <param name="MessagesProcessed">Grain calls this activation processed, failed ones included.</param>
/// <param name="Errors">Failed grain calls and timer callbacks of this activation.</param>
/// <param name="LastActive">When the activation last finished processing a grain call (or was created).</param>
public sealed record GrainActivationSnapshot(
    string GrainType,
    string Key,
    int MailboxDepth,
    long MessagesProcessed,
    long Errors,
    DateTimeOffset LastActive);
