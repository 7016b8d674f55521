namespace K2.Grains.Runtime;

/// <summary>The mailbox entry of one <see cref="GrainTimer"/> due time.</summary>
internal sealed class GrainTimerTick(GrainTimer timer) : MailboxItem
{
    public override MailboxItemKind Kind => MailboxItemKind.TimerTick;

    public override string Operation => "timer";

    public override Task RunAsync(Grain grain) => timer.RunCallbackAsync();

    public override void Complete(Exception? error) => timer.OnTickCompleted();
}
