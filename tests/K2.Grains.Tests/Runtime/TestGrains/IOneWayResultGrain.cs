using K2.Grains.Runtime;

namespace K2.Grains.Tests.Runtime.TestGrains;

/// <summary>Unsupported: a one-way method has no result to return.</summary>
public interface IOneWayResultGrain : IGrainWithStringKey
{
    [OneWay]
    Task<int> CountAsync();
}
