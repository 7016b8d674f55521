using K2.Grains.Runtime;

namespace K2.Grains.Tests.Runtime.TestGrains;

public sealed class SynchronousGrain : Grain, ISynchronousGrain
{
    public Task PingAsync() => Task.CompletedTask;

    public int Count() => 0;
}
