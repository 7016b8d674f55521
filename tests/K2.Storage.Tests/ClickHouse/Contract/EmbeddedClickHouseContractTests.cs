using K2.Storage.ClickHouse;
using K2.Testing;

namespace K2.Storage.Tests.ClickHouse.Contract;

/// <summary>The contract on the embedded transport: chDB in this process.</summary>
public sealed class EmbeddedClickHouseContractTests(EmbeddedClickHouseFixture fixture) : ClickHouseContractTests
{
    protected override IClickHouseClient Client => fixture.ClickHouse;
}
