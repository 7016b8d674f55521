namespace K2.Silo.Cluster;

/// <summary>One step of <see cref="OrleansPostgresSchema"/>: its number, its name and its script.</summary>
internal sealed record OrleansSchemaMigration(int Version, string Name, string Sql);
