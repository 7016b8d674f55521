using System.Security.Cryptography;
using System.Text;

namespace K2.Grains.Placement;

/// <summary>
/// Which silo each exchange shard runs on: every silo computes the same answer from the same shards and active silos,
/// so placement and the keepers agree without talking. Shards are taken in key order; each goes to the silo that ranks
/// it highest (rendezvous hashing of shard and silo) among those still below ceil(shards / silos). The cap bounds every
/// silo's share; the ranking spreads shards without any silo's name or start order favouring it.
/// </summary>
public static class ShardAssignment
{
    /// <summary>Shard key → silo, over <paramref name="silos"/> (stable names such as <c>10.0.0.7:11111</c>); empty without silos.</summary>
    public static IReadOnlyDictionary<string, string> Assign(IEnumerable<string> shards, IReadOnlyCollection<string> silos)
    {
        var ordered = shards.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var assignment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (silos.Count == 0)
        {
            return assignment;
        }

        var capacity = (ordered.Count + silos.Count - 1) / silos.Count;
        var load = silos.Distinct(StringComparer.Ordinal).ToDictionary(s => s, _ => 0, StringComparer.Ordinal);
        foreach (var shard in ordered)
        {
            var silo = load.Keys
                .OrderByDescending(s => Rank(shard, s))
                .ThenBy(s => s, StringComparer.Ordinal)
                .First(s => load[s] < capacity);
            load[silo]++;
            assignment[shard] = silo;
        }

        return assignment;
    }

    /// <summary>A stable pseudo-random rank of the pair, the same in every process and version (not <c>string.GetHashCode</c>).</summary>
    private static ulong Rank(string shard, string silo) =>
        BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes($"{shard}\n{silo}")), 0);
}
