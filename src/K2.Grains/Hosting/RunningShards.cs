using System.Collections.Concurrent;

namespace K2.Grains.Hosting;

/// <summary>
/// The exchange shards whose sessions run on this silo, as their grains start and stop them. At shutdown the keeper
/// stops exactly these: in a cluster the other shards belong to other silos, which keep them running.
/// </summary>
internal sealed class RunningShards
{
    private readonly ConcurrentDictionary<string, byte> _keys = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Keys => [.. _keys.Keys.Order(StringComparer.Ordinal)];

    public void Started(string key) => _keys[key] = 0;

    public void Stopped(string key) => _keys.TryRemove(key, out _);
}
