namespace K2.Grains.Runtime;

/// <summary>Settings of the grain runtime, bound from <c>K2:Grains</c>.</summary>
public sealed class GrainRuntimeOptions
{
    public const string Section = "K2:Grains";

    /// <summary>Messages one activation's mailbox holds before callers wait (backpressure).</summary>
    public int MailboxCapacity { get; set; } = 1024;

    /// <summary>How long an activation may go without a grain call before it is collected.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often idle activations are looked for.</summary>
    public TimeSpan CollectionInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long host shutdown waits for activations to drain their mailboxes and deactivate.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
