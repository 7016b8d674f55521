using K2.Storage.ClickHouse;
using K2.Storage.Tests.Support;
using K2.Testing;

namespace K2.Storage.Tests.ClickHouse.Contract;

/// <summary>The contract on the embedded transport: chDB in this process.</summary>
public sealed class EmbeddedClickHouseContractTests(EmbeddedClickHouseFixture fixture) : ClickHouseContractTests
{
    private readonly AnswerLosingClickHouseClient _client = new(fixture.ClickHouse);

    protected override IClickHouseClient Client => _client;

    protected override void LoseNextInsertAnswer() => _client.LoseNextInsertAnswers(1);
}
