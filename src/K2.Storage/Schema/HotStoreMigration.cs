namespace K2.Storage.Schema;

/// <summary>One versioned schema change. Statements must be idempotent (<c>IF NOT EXISTS</c>), so a migration
/// interrupted after some statements can simply run again.</summary>
public sealed record HotStoreMigration(int Version, string Name, IReadOnlyList<string> Statements);
