namespace K2.Silo.Tests.Commands;

/// <summary>
/// The command tests that open an embedded store: chDB allows one data path per process at a time, so they run one
/// after another, whichever class they are in.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EmbeddedStoreCommands
{
    public const string Name = "commands that open an embedded store";
}
