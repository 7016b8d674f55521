using K2.Grains.Runtime;

namespace K2.Grains.Tests.Runtime.TestGrains;

/// <summary>Unsupported: a grain method must return a task.</summary>
public interface ISynchronousGrain : IGrainWithStringKey
{
    Task PingAsync();

    int Count();
}
