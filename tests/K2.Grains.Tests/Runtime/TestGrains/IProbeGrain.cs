using K2.Grains.Runtime;

namespace K2.Grains.Tests.Runtime.TestGrains;

/// <summary>A test grain with one method per runtime behaviour; far bigger than a production grain should be.</summary>
public interface IProbeGrain : IGrainWithStringKey
{
    Task<int> GetActivationNumberAsync();

    Task<GrainId> GetGrainIdAsync();

    Task<string> EchoAsync(string value);

    ValueTask<int> DoubleAsync(int value);

    ValueTask TouchAsync();

    [OneWay]
    Task RecordAsync(int value);

    [OneWay]
    Task RecordWithCancellationAsync(int value, CancellationToken cancellationToken);

    Task BlockAsync();

    Task ThrowAsync(string message);

    [OneWay]
    Task ThrowOneWayAsync(string message);

    Task DeactivateAsync();

    Task StartTimerAsync(TimeSpan dueTime, TimeSpan period);

    Task StopTimerAsync();

    Task<string> EchoThroughAsync(string otherKey, string value);
}
