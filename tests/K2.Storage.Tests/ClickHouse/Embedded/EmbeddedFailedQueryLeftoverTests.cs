using System.Text;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.Embedded;
using K2.Testing;

namespace K2.Storage.Tests.ClickHouse.Embedded;

/// <summary>
/// Runs alone: it must see the next query on every connection of the shared engine, which another test's query could
/// otherwise take first.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EmbeddedConnectionsAlone
{
    public const string Name = "tests that need every embedded query connection to themselves";
}

[Collection(EmbeddedConnectionsAlone.Name)]
public sealed class EmbeddedFailedQueryLeftoverTests(EmbeddedClickHouseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// chDB keeps the rows a failed query had produced and hands them out in front of the next result on that
    /// connection; found when the HTTP contract's migrations read another test's failed rows as applied versions.
    /// </summary>
    [Fact]
    public async Task A_query_that_failed_after_producing_rows_leaves_nothing_in_front_of_the_next_result_on_its_connection()
    {
        var connections = new EmbeddedClickHouseOptions().QueryConnections;
        await Should.ThrowAsync<ClickHouseException>(() => fixture.ClickHouse.QueryAsync(
            "SELECT number, throwIf(number = 1500000) FROM numbers(2000000) SETTINGS max_block_size = 1000",
            null, ClickHouseFormats.RowBinary, static data => data.Length, Ct));

        // One query on every connection: each reader holds its connection until all have their results, so no
        // connection runs two of them, and the one that failed runs one.
        using var everyConnection = new CountdownEvent(connections);
        var results = await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => fixture.ClickHouse.QueryAsync(
            "SELECT 42", null, ClickHouseFormats.TabSeparated,
            data =>
            {
                var text = Encoding.UTF8.GetString(data);
                everyConnection.Signal();
                return everyConnection.Wait(TimeSpan.FromSeconds(30)) ? text : "not every connection took a query";
            },
            Ct)));

        results.ShouldBe(Enumerable.Repeat("42\n", connections));
    }
}
