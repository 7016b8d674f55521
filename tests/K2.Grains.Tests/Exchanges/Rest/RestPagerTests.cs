using System.Globalization;
using System.Text;
using K2.Core;
using K2.Grains.Backfill;
using K2.Grains.Exchanges.Rest;
using K2.Testing.Grains;
using Microsoft.Extensions.Logging;

namespace K2.Grains.Tests.Exchanges.Rest;

/// <summary>The REST pager against a scripted loopback server, its waits driven by a manual clock.</summary>
public sealed class RestPagerTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly ObservedTimeProvider _time = new();
    private readonly HttpClient _http = new();
    private readonly CapturingLoggerProvider _logs = new();
    private ScriptedRestServer? _server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ScriptedRestServer Server => _server!;

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private async Task<RestPager> StartAsync(HttpClient? http = null, BackfillProgress? progress = null)
    {
        _server = await ScriptedRestServer.StartAsync(_time, Ct);
        return new RestPager(
            Exchange.Binance, http ?? _http, new RestRequestGate(1_000, TimeSpan.FromMinutes(1), _time), _time, new Logger<RestPager>(new LoggerFactory([_logs])), progress);
    }

    private Task<byte[]> GetAsync(RestPager pager, string pathAndQuery, CancellationToken? cancellationToken = null) =>
        pager.GetAsync(Server.BaseAddress, pathAndQuery, weight: 1, headers: null, cancellationToken ?? Ct);

    private static string Text(byte[] body) => Encoding.UTF8.GetString(body);

    [Fact]
    public async Task A_successful_answer_returns_its_body_and_the_headers_asked_for_are_sent()
    {
        var pager = await StartAsync();
        Server.Respond(200, """[{"id":1}]""");
        var prefixed = new Uri(Server.BaseAddress, "binance/"); // a base with a path and a trailing slash

        var body = await pager.GetAsync(
            prefixed, "/api/v3/historicalTrades?symbol=BTCUSDT&fromId=5", weight: 25,
            new Dictionary<string, string> { ["X-MBX-TIME-UNIT"] = "MICROSECOND" }, Ct);

        Text(body).ShouldBe("""[{"id":1}]""");
        var received = Server.Received.ShouldHaveSingleItem();
        received.PathAndQuery.ShouldBe("/binance/api/v3/historicalTrades?symbol=BTCUSDT&fromId=5");
        received.Headers["X-MBX-TIME-UNIT"].ShouldBe("MICROSECOND");
        _time.Timers.ShouldBeEmpty("nothing waited");
    }

    [Theory]
    [InlineData(429)]
    [InlineData(418)]
    public async Task A_refusal_pauses_this_and_every_later_request_until_its_Retry_After_and_then_retries(int status)
    {
        var pager = await StartAsync();
        var start = _time.GetUtcNow();
        Server.Respond(status, """{"code":-1003,"msg":"Too many requests"}""", ("Retry-After", "7"));

        var refused = GetAsync(pager, "/first");
        await _time.WaitForTimersAsync(1, Ct);
        var later = GetAsync(pager, "/second"); // asked while the pause is in force
        await _time.WaitForTimersAsync(2, Ct);

        _time.Timers.ShouldBe([TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(7)]);
        _time.Advance(TimeSpan.FromSeconds(7) - TimeSpan.FromTicks(1));
        refused.IsCompleted.ShouldBeFalse();
        later.IsCompleted.ShouldBeFalse();
        Server.Received.Count.ShouldBe(1, "nothing goes out during the pause");

        _time.Advance(TimeSpan.FromTicks(1));

        Text(await refused.WaitAsync(Patience, Ct)).ShouldBe("/first");
        Text(await later.WaitAsync(Patience, Ct)).ShouldBe("/second");
        Server.Received.Select(r => (r.PathAndQuery, r.At - start)).ShouldBe(
            [("/first", TimeSpan.Zero), ("/first", TimeSpan.FromSeconds(7)), ("/second", TimeSpan.FromSeconds(7))], ignoreOrder: true);
    }

    [Fact]
    public async Task A_Retry_After_date_pauses_until_that_date()
    {
        var pager = await StartAsync();
        var until = _time.GetUtcNow().AddSeconds(12);
        Server.Respond(429, "", ("Retry-After", until.ToString("R", CultureInfo.InvariantCulture)));

        var get = GetAsync(pager, "/dated");
        await _time.WaitForTimersAsync(1, Ct);
        _time.Timers.ShouldBe([TimeSpan.FromSeconds(12)]);
        _time.Advance(TimeSpan.FromSeconds(12));

        Text(await get.WaitAsync(Patience, Ct)).ShouldBe("/dated");
        Server.Received[^1].At.ShouldBe(until);
    }

    [Fact]
    public async Task A_refusal_without_Retry_After_pauses_for_the_default()
    {
        var pager = await StartAsync();
        Server.Respond(429);

        var get = GetAsync(pager, "/plain");
        await _time.WaitForTimersAsync(1, Ct);
        _time.Timers.ShouldBe([RestResponses.DefaultRetryAfter]);
        _time.Advance(RestResponses.DefaultRetryAfter);

        Text(await get.WaitAsync(Patience, Ct)).ShouldBe("/plain");
    }

    [Fact]
    public async Task Refusals_are_waited_out_however_many_there_are_without_spending_an_attempt()
    {
        var pager = await StartAsync();
        const int refusals = 7; // more than the attempts a failing request gets
        for (var i = 0; i < refusals; i++)
        {
            Server.Respond(429, "", ("Retry-After", "1"));
        }

        var get = GetAsync(pager, "/patient");
        for (var i = 1; i <= refusals; i++)
        {
            await _time.WaitForTimersAsync(i, Ct);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Text(await get.WaitAsync(Patience, Ct)).ShouldBe("/patient");
        Server.Received.Count.ShouldBe(refusals + 1);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_a_growing_delay_until_one_is_answered()
    {
        var pager = await StartAsync();
        var start = _time.GetUtcNow();
        Server.Respond(500);
        Server.Respond(503);

        var get = GetAsync(pager, "/flaky");
        await _time.WaitForTimersAsync(1, Ct);
        _time.Advance(TimeSpan.FromSeconds(1));
        await _time.WaitForTimersAsync(2, Ct);
        _time.Advance(TimeSpan.FromSeconds(2));

        Text(await get.WaitAsync(Patience, Ct)).ShouldBe("/flaky");
        _time.Timers.ShouldBe([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)]);
        Server.Received.Select(r => r.At - start).ShouldBe([TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)]);
    }

    [Fact]
    public async Task Each_wait_of_the_request_in_flight_is_told_to_the_backfill_progress_with_its_end_and_reason()
    {
        var progress = new BackfillProgress(_time);
        var pager = await StartAsync(progress: progress);
        var start = _time.GetUtcNow();
        var request = new BackfillRequest(new(Exchange.Binance, "BTC-USDT", "BTCUSDT", "BTC", "USDT", 2, 5), BackfillReason.Gap, 11, 14, null, null);
        progress.Started(request);
        Server.Respond(429, "", ("Retry-After", "7"));
        Server.Respond(500);

        var get = GetAsync(pager, "/gap");
        await _time.WaitForTimersAsync(1, Ct);
        (progress.Current!.WaitingUntil, progress.Current.WaitingFor).ShouldBe((start.AddSeconds(7), "a pause the exchange asked for"));
        _time.Advance(TimeSpan.FromSeconds(7));
        await _time.WaitForTimersAsync(2, Ct);
        progress.Current!.WaitingUntil.ShouldBe(start.AddSeconds(8));
        progress.Current.WaitingFor.ShouldBe("a retry after failure 1 (Response status code does not indicate success: 500 (Internal Server Error).)");
        _time.Advance(TimeSpan.FromSeconds(1));

        Text(await get.WaitAsync(Patience, Ct)).ShouldBe("/gap");
        progress.Current.ShouldBe(new InFlightBackfill(request, start, null, null));
    }

    [Fact]
    public async Task A_client_error_is_reported_at_once_without_spending_more_weight()
    {
        var pager = await StartAsync();
        Server.Respond(400);

        var error = await Should.ThrowAsync<HttpRequestException>(() => GetAsync(pager, "/bad").WaitAsync(Patience, Ct));

        error.StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        Server.Received.Count.ShouldBe(1);
        _time.Timers.ShouldBeEmpty();
    }

    [Fact]
    public async Task Cut_connections_are_retried_with_a_growing_delay_until_one_is_answered()
    {
        var pager = await StartAsync();
        Server.Cut();
        Server.Cut();

        var get = GetAsync(pager, "/cut");
        await _time.WaitForTimersAsync(1, Ct);
        _time.Advance(TimeSpan.FromSeconds(1));
        await _time.WaitForTimersAsync(2, Ct);
        _time.Advance(TimeSpan.FromSeconds(2));

        Text(await get.WaitAsync(Patience, Ct)).ShouldBe("/cut");
        Server.Received.Count.ShouldBe(3);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_request_that_keeps_failing_is_tried_five_times_then_reported_as_HttpRequestException(bool cut)
    {
        var pager = await StartAsync();
        for (var i = 0; i < 10; i++)
        {
            if (cut)
            {
                Server.Cut();
            }
            else
            {
                Server.Respond(502);
            }
        }

        var get = GetAsync(pager, "/down");
        for (var failure = 1; failure <= 4; failure++)
        {
            await _time.WaitForTimersAsync(failure, Ct);
            _time.Advance(TimeSpan.FromSeconds(failure));
        }

        await Should.ThrowAsync<HttpRequestException>(() => get.WaitAsync(Patience, Ct));
        _time.Timers.ShouldBe([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4)]);
        Server.Received.Count.ShouldBe(5);
    }

    [Fact]
    public async Task An_unanswered_request_that_times_out_is_retried_like_a_network_failure()
    {
        using var impatient = new HttpClient { Timeout = TimeSpan.FromMilliseconds(300) };
        var pager = await StartAsync(impatient);
        var never = new TaskCompletionSource();
        Server.Hold(never.Task);

        var get = GetAsync(pager, "/slow");
        await Task.WhenAny(get, _time.WaitForTimersAsync(1, Ct));
        get.IsCompleted.ShouldBeFalse("a request the exchange never answered waits to be retried");
        _time.Advance(TimeSpan.FromSeconds(1));

        Text(await get.WaitAsync(Patience, Ct)).ShouldBe("/slow");
        Server.Received.Count.ShouldBe(2);
        never.SetResult();
    }

    [Fact]
    public async Task Cancelling_ends_the_wait_for_a_pause()
    {
        var pager = await StartAsync();
        Server.Respond(429, "", ("Retry-After", "60"));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var get = GetAsync(pager, "/stopped", cancel.Token);
        await _time.WaitForTimersAsync(1, Ct);
        await cancel.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => get.WaitAsync(Patience, Ct));
        Server.Received.Count.ShouldBe(1);
    }

    [Fact]
    public async Task PauseFor_holds_back_the_next_request_and_says_why()
    {
        var pager = await StartAsync();
        pager.PauseFor(TimeSpan.FromSeconds(5), "EGeneral:Too many requests");

        var get = GetAsync(pager, "/held");
        await _time.WaitForTimersAsync(1, Ct);
        Server.Received.ShouldBeEmpty();
        _time.Advance(TimeSpan.FromSeconds(5));

        Text(await get.WaitAsync(Patience, Ct)).ShouldBe("/held");
        _time.Timers.ShouldBe([TimeSpan.FromSeconds(5)]);
        var logged = _logs.Entries.ShouldHaveSingleItem();
        logged.Level.ShouldBe(LogLevel.Warning);
        logged.Message.ShouldBe("Binance REST throttled (EGeneral:Too many requests); pausing requests for 00:00:05");
    }
}
