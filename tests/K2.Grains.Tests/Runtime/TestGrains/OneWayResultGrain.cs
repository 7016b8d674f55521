using K2.Grains.Runtime;

namespace K2.Grains.Tests.Runtime.TestGrains;

public sealed class OneWayResultGrain : Grain, IOneWayResultGrain
{
    public Task<int> CountAsync() => Task.FromResult(0);
}
