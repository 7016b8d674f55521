namespace K2.Grains.Configuration;

/// <summary>One exchange's shard settings as configured: a count, explicit symbol groups (comma-separated), or neither.</summary>
public sealed record ShardSettings(int? Shards, IReadOnlyList<string> ShardSymbols);
