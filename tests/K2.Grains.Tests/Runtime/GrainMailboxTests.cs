using K2.Grains.Tests.Runtime.TestGrains;

namespace K2.Grains.Tests.Runtime;

public sealed class GrainMailboxTests
{
    [Fact]
    public async Task Messages_are_processed_in_enqueue_order()
    {
        var probe = new GrainProbe();
        await using var host = await ProbeHost.StartAsync(probe);
        var grain = host.GrainFactory.GetGrain<IProbeGrain>("a");

        for (var value = 0; value < 200; value++)
        {
            await grain.RecordAsync(value);
        }

        await grain.EchoAsync("after"); // processed after everything enqueued before it

        probe.Recorded.Select(record => record.Value).ShouldBe(Enumerable.Range(0, 200));
    }

    [Fact]
    public async Task Concurrent_senders_each_keep_their_order_and_turns_never_overlap()
    {
        const int senders = 8;
        const int messagesPerSender = 100;
        var probe = new GrainProbe();
        await using var host = await ProbeHost.StartAsync(probe, options => options.MailboxCapacity = 16);
        var grain = host.GrainFactory.GetGrain<IProbeGrain>("a");

        await Task.WhenAll(Enumerable.Range(0, senders).Select(sender => Task.Run(
            async () =>
            {
                for (var sequence = 0; sequence < messagesPerSender; sequence++)
                {
                    await grain.RecordAsync((sender * messagesPerSender) + sequence);
                }
            },
            TestContext.Current.CancellationToken)));
        await grain.EchoAsync("after");

        var recorded = probe.Recorded.Select(record => record.Value).ToList();
        recorded.Count.ShouldBe(senders * messagesPerSender);
        foreach (var sender in Enumerable.Range(0, senders))
        {
            recorded.Where(value => value / messagesPerSender == sender)
                .ShouldBe(Enumerable.Range(sender * messagesPerSender, messagesPerSender));
        }

        probe.MaxTurnsRunning.ShouldBe(1);
    }

    [Fact]
    public async Task A_one_way_call_on_a_full_mailbox_waits_until_the_grain_makes_room()
    {
        const int capacity = 2;
        var probe = new GrainProbe();
        await using var host = await ProbeHost.StartAsync(probe, options => options.MailboxCapacity = capacity);
        var grain = host.GrainFactory.GetGrain<IProbeGrain>("a");
        var blocked = grain.BlockAsync();
        await probe.BlockEntered.Task.WaitAsync(TestContext.Current.CancellationToken);

        await grain.RecordAsync(1);
        await grain.RecordAsync(2);
        var overflow = grain.RecordAsync(3);

        overflow.IsCompleted.ShouldBeFalse();
        host.Statistics.GetSnapshot().Activations.Single().MailboxDepth.ShouldBe(capacity);

        probe.BlockReleased.SetResult();
        await overflow;
        await blocked;
        await grain.EchoAsync("after");
        probe.Recorded.Select(record => record.Value).ShouldBe([1, 2, 3]);
    }

    [Fact]
    public async Task The_callers_token_cancels_waiting_for_mailbox_space_and_the_message_is_never_processed()
    {
        var probe = new GrainProbe();
        await using var host = await ProbeHost.StartAsync(probe, options => options.MailboxCapacity = 1);
        var grain = host.GrainFactory.GetGrain<IProbeGrain>("a");
        var blocked = grain.BlockAsync();
        await probe.BlockEntered.Task.WaitAsync(TestContext.Current.CancellationToken);
        await grain.RecordAsync(1);
        using var cancellation = new CancellationTokenSource();

        var waiting = grain.RecordWithCancellationAsync(2, cancellation.Token);
        waiting.IsCompleted.ShouldBeFalse();
        await cancellation.CancelAsync();

        (await Record.ExceptionAsync(() => waiting)).ShouldBeAssignableTo<OperationCanceledException>();
        probe.BlockReleased.SetResult();
        await blocked;
        await grain.EchoAsync("after");
        probe.Recorded.Select(record => record.Value).ShouldBe([1]);
    }
}
