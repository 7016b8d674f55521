using K2.Grains.Runtime;

namespace K2.Grains.Tests.Runtime.TestGrains;

public interface IKeepAliveGrain : IGrainWithStringKey
{
    Task<int> GetActivationNumberAsync();
}
