using K2.Testing;

[assembly: AssemblyFixture(typeof(EmbeddedClickHouseFixture))]
