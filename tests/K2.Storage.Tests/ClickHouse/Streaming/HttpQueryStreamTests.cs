using System.Text;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.Http;
using K2.Storage.Tests.Support;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Storage.Tests.ClickHouse.Streaming;

/// <summary>
/// The stream contract over HTTP, against the chDB-backed endpoint (which streams its answers too), plus what only HTTP
/// has: an error the server wrote into an answer already under way, retries before the first byte, and a timeout on
/// the server's silence that a slow writer does not trip.
/// </summary>
public sealed class HttpQueryStreamTests(EmbeddedClickHouseFixture fixture) : QueryStreamContractTests, IAsyncLifetime
{
    private const string TimeoutText = "Code: 159. DB::Exception: Timeout exceeded: elapsed 5.000 sec., maximum: 5. (TIMEOUT_EXCEEDED) (version 25.8.4.13 (official build))";

    private readonly List<ClickHouseHttpClient> _clients = [];
    private ChdbHttpEndpoint _endpoint = null!;
    private ClickHouseHttpClient _client = null!;

    protected override IClickHouseClient Client => _client;

    protected override IClickHouseClient Engine => fixture.ClickHouse;

    /// <summary>The endpoint notices the hang-up and cancels its engine stream.</summary>
    protected override async Task StreamStoppedAsync() =>
        (await _endpoint.NextStreamEndAsync(Ct)).Outcome.ShouldBe(StreamOutcome.Cancelled);

    public async ValueTask InitializeAsync()
    {
        _endpoint = await ChdbHttpEndpoint.StartAsync(fixture.ClickHouse, Ct);
        _client = NewClient();
    }

    public async ValueTask DisposeAsync()
    {
        _clients.ForEach(c => c.Dispose());
        await _endpoint.DisposeAsync();
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public async Task An_answer_that_fails_mid_stream_throws_the_servers_error_and_writes_none_of_it(bool tagged, bool compression)
    {
        _endpoint.TagsExceptions = tagged;
        var client = NewClient(o => o.Compression = compression);
        var whole = await client.QueryAsync(Numbers, null, ClickHouseFormats.Csv, static data => data.ToArray(), Ct);
        _endpoint.FailNextAnswersMidStream(1, TimeoutText);
        var writer = new RecordingChunkWriter();
        var requestsBefore = _endpoint.Requests.Count;

        var error = await Should.ThrowAsync<ClickHouseException>(() => client.QueryStreamAsync(Numbers, null, ClickHouseFormats.Csv, writer.WriteAsync, Ct));

        error.ErrorCode.ShouldBe(159);
        error.Message.ShouldContain("Timeout exceeded");
        writer.Writes.ShouldBeGreaterThan(0); // the endpoint sends half of 2.6 MB before the error: more than one read buffer
        whole.AsSpan().StartsWith(writer.Bytes).ShouldBeTrue();
        Encoding.UTF8.GetString(writer.Bytes).ShouldNotContain("__exception__");
        (_endpoint.Requests.Count - requestsBefore).ShouldBe(1); // an answer under way is never retried
    }

    [Fact]
    public async Task A_request_that_fails_before_the_answer_began_is_retried()
    {
        _endpoint.DropNextRequests(1);
        var writer = new RecordingChunkWriter();

        await Client.QueryStreamAsync(Numbers, null, ClickHouseFormats.Csv, writer.WriteAsync, Ct);

        writer.Bytes.ShouldBeSameBytes(await Client.QueryAsync(Numbers, null, ClickHouseFormats.Csv, static data => data.ToArray(), Ct));
        _endpoint.Requests.Count.ShouldBe(3); // dropped, retried, then the buffered query
    }

    [Fact]
    public async Task The_request_is_read_only_and_asks_the_server_to_cancel_it_when_the_connection_closes()
    {
        await Client.QueryStreamAsync("SELECT 1", null, ClickHouseFormats.Csv, new RecordingChunkWriter().WriteAsync, Ct);

        var settings = _endpoint.Requests.Single().Settings;
        settings.ShouldContain(new KeyValuePair<string, string>("readonly", "2"));
        settings.ShouldContain(new KeyValuePair<string, string>("cancel_http_readonly_queries_on_client_close", "1"));
    }

    [Fact]
    public async Task A_server_silent_past_the_timeout_fails_the_stream_with_a_timeout()
    {
        var client = NewClient(o =>
        {
            o.Timeout = TimeSpan.FromMilliseconds(200);
            o.ReadRetries = 0;
        });
        _endpoint.AnswerDelay = TimeSpan.FromSeconds(5);
        var writer = new RecordingChunkWriter();

        var error = await Should.ThrowAsync<ClickHouseException>(() => client.QueryStreamAsync("SELECT 1", null, ClickHouseFormats.Csv, writer.WriteAsync, Ct));

        error.InnerException.ShouldBeOfType<TimeoutException>();
        writer.Writes.ShouldBe(0);
    }

    /// <summary>The timeout is on the server's silence: a writer that takes longer than it (a slow export client) is not the server being silent.</summary>
    [Fact]
    public async Task A_writer_slower_than_the_timeout_does_not_time_the_stream_out()
    {
        var client = NewClient(o => o.Timeout = TimeSpan.FromMilliseconds(300));
        var writer = new RecordingChunkWriter((writes, token) => writes == 1 ? new ValueTask(Task.Delay(TimeSpan.FromMilliseconds(900), token)) : ValueTask.CompletedTask);

        await client.QueryStreamAsync(Numbers, null, ClickHouseFormats.Csv, writer.WriteAsync, Ct);

        writer.Bytes.ShouldBeSameBytes(await client.QueryAsync(Numbers, null, ClickHouseFormats.Csv, static data => data.ToArray(), Ct));
    }

    private ClickHouseHttpClient NewClient(Action<ClickHouseHttpOptions>? configure = null)
    {
        var options = new ClickHouseHttpOptions
        {
            Url = _endpoint.Url,
            User = ChdbHttpEndpoint.DefaultUser,
            Password = ChdbHttpEndpoint.DefaultPassword,
            ReadRetryDelay = TimeSpan.FromMilliseconds(10),
        };
        configure?.Invoke(options);
        var client = new ClickHouseHttpClient(options, NullLogger<ClickHouseHttpClient>.Instance);
        _clients.Add(client);
        return client;
    }
}
