using System.Collections.Concurrent;

namespace K2.Grains.Hosting;

/// <summary>
/// The exchange shards whose sessions run on this silo, as their grains start and stop them, and since when. At
/// shutdown the keeper stops exactly these: in a cluster the other shards belong to other silos, which keep them
/// running. The keeper also hands over those that belong elsewhere once they have run here a while.
/// </summary>
internal sealed class RunningShards(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _since = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Keys => [.. _since.Keys.Order(StringComparer.Ordinal)];

    public void Started(string key) => _since[key] = time.GetUtcNow();

    public void Stopped(string key) => _since.TryRemove(key, out _);

    /// <summary>How long the shard's session has run here; null when it does not.</summary>
    public TimeSpan? RunningFor(string key) => _since.TryGetValue(key, out var since) ? time.GetUtcNow() - since : null;
}
