using System.Text;
using System.Text.Json;
using K2.Api.Tests.Support;
using K2.Storage;
using K2.Storage.ClickHouse;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Api.Tests.Endpoints;

/// <summary>
/// Bad input never reaches a 5xx: a generated set of malformed and hostile requests (bad values, wrong types,
/// injection attempts, huge and empty strings, odd encodings, repeated and unknown parameters, forged cursors) each
/// gets an answer below 500 within its time limit; every 400 is problem+json saying what is wrong; and the store is
/// unharmed afterwards. The generator is seeded, so a failure names a request that can be replayed.
/// </summary>
public sealed class HostileRequestsTests(ApiFactory factory)
{
    private const int Seed = 20261205;
    private const int Count = 1_200;

    private static readonly string[] Paths = ["/v1/trades", "/v1/candles", "/v1/instruments"];

    private static readonly string[] Names =
        ["exchange", "symbol", "timeframe", "from", "to", "limit", "cursor", "Exchange", "EXCHANGE", "limt", "format", "", "%00", "a%5Bb%5D", "exchange[]", "..%2F..%2Fetc"];

    /// <summary>Values that are almost right, plainly wrong, or hostile; percent-encoded where they must be.</summary>
    private static readonly string[] Values =
    [
        "", "binance", "kraken", "coinbase", "Binance", "nasdaq", "2", "-1", "0", "1", "5000", "10000", "10001", "99999999999", "1e3", "1.5", "+5", " 5", "0x10",
        "BTC-USDT", "ETH-USDT", "BTC-USD", "btc-usdt", "BTC_USDT", "BTC-", "-", "BTC-USDT%00", "BTC-USDT%0D%0AX-Injected:%201",
        "1m", "5m", "1h", "1d", "2m", "1M", "1w",
        "2026-11-22T10:00:00Z", "2026-11-22T10:00:00%2B02:00", "2026-11-22", "2026-11-22T10:00:00", "1969-12-31T23:59:59Z", "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z", "2199-12-31T23:59:59.9999999Z", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "1970-01-01T00:00:00Z", "yesterday", "now",
        "%27%20OR%201%3D1%20--", "%27)%3B%20DROP%20TABLE%20silver_trades%3B%20--", "%7Bexchange%3AString%7D", "%5C%27", "%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "%FF%FE", "%", "%G1", "%C0%AF", "%E2%80%AE", "%F0%9F%92%A9", "%EF%BB%BF", "%09", "%20%20", "null", "undefined", "true", "%5B%5D", "%7B%7D",
        "AAAA", "AQAAAAAAAAAAAAAAAAAAAAA", "____", "-_-_", "Zm9v", new string('A', 198), new string('B', 4_000), new string('9', 40),
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task No_generated_bad_request_gets_a_5xx_or_hangs()
    {
        var before = await CountTradesAsync();
        var random = new Random(Seed);
        var requests = Enumerable.Range(0, Count).Select(_ => Generate(random)).ToList();
        requests.AddRange(await ForgedCursorsAsync());
        var client = factory.CreateClient();
        var failures = new List<string>();
        var statuses = new Dictionary<int, int>();

        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = Ct }, async (request, token) =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            string? failure;
            int status;
            try
            {
                using var message = new HttpRequestMessage(HttpMethod.Get, new Uri(client.BaseAddress!, request.Target));
                foreach (var (name, value) in request.Headers)
                {
                    message.Headers.TryAddWithoutValidation(name, value);
                }

                using var response = await client.SendAsync(message, timeout.Token);
                status = (int)response.StatusCode;
                failure = await JudgeAsync(response, timeout.Token);
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                status = 0;
                failure = "no answer within 30 s";
            }

            lock (failures)
            {
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                if (failure is not null)
                {
                    failures.Add($"{request.Target} [{string.Join("; ", request.Headers.Select(h => $"{h.Name}: {h.Value}"))}]: {failure}");
                }
            }
        });

        failures.ShouldBeEmpty(string.Join(Environment.NewLine, failures.Take(20)));
        requests.Count.ShouldBeGreaterThanOrEqualTo(1_000);
        // The set must exercise both sides: requests refused, and requests valid enough to reach the store.
        statuses.GetValueOrDefault(400).ShouldBeGreaterThan(requests.Count / 2, string.Join(", ", statuses));
        statuses.GetValueOrDefault(200).ShouldBeGreaterThan(20, string.Join(", ", statuses));
        // Other test classes add trades meanwhile; none removes any, so an injected DELETE or DROP would show as fewer.
        (await CountTradesAsync()).ShouldBeGreaterThanOrEqualTo(before);
    }

    /// <summary>Null when the answer is acceptable; otherwise what is wrong with it.</summary>
    private static async Task<string?> JudgeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (status >= 500)
        {
            return $"{status}: {body[..Math.Min(body.Length, 300)]}";
        }

        if (status is >= 400 and < 500 && status != 404 && status != 405)
        {
            if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                return $"{status} without problem+json: '{body[..Math.Min(body.Length, 200)]}'";
            }

            var problem = JsonDocument.Parse(body).RootElement;
            var explained = (problem.TryGetProperty("errors", out var errors) && errors.EnumerateObject().Any())
                || (problem.TryGetProperty("detail", out var detail) && !string.IsNullOrWhiteSpace(detail.GetString()));
            return explained ? null : $"{status} problem that names nothing: {body}";
        }

        return null;
    }

    private static HostileRequest Generate(Random random)
    {
        var query = new StringBuilder();
        // Mostly near-valid requests with one or two things wrong, so validation paths deep in the handler run too.
        var parameters = random.Next(4) == 0 ? RandomParameters(random) : NearValid(random);
        foreach (var (name, value) in parameters)
        {
            query.Append(query.Length == 0 ? "" : "&").Append(name).Append(random.Next(20) == 0 ? "" : "=" + value);
        }

        var path = Paths[random.Next(Paths.Length)] + (random.Next(30) == 0 ? "/" : "");
        var headers = random.Next(6) == 0
            ? new List<(string, string)> { ("Accept", random.Next(2) == 0 ? "text/csv, */*;q=0.1" : "application/x-k2-nothing"), ("X-Api-Key", "'; DROP TABLE x; --") }
            : [];
        return new HostileRequest(path + (query.Length == 0 ? "" : "?" + query), headers);
    }

    private static List<(string, string)> RandomParameters(Random random) =>
        [.. Enumerable.Range(0, random.Next(0, 8)).Select(_ => (Names[random.Next(Names.Length)], Values[random.Next(Values.Length)]))];

    private static List<(string, string)> NearValid(Random random)
    {
        var parameters = new List<(string Name, string Value)> { ("exchange", "binance"), ("symbol", "BTC-USDT"), ("timeframe", "1m") };
        if (random.Next(2) == 0)
        {
            parameters.Add(("from", "2026-11-22T10:00:00Z"));
            parameters.Add(("to", "2026-11-23T10:00:00Z"));
        }

        if (random.Next(2) == 0)
        {
            parameters.Add(("limit", "50"));
        }

        // Spoil some: replace a value, add a repeat or an unknown name, or nothing (a valid request).
        for (var spoil = random.Next(0, 3); spoil > 0; spoil--)
        {
            var value = Values[random.Next(Values.Length)];
            switch (random.Next(3))
            {
                case 0:
                    var index = random.Next(parameters.Count);
                    parameters[index] = (parameters[index].Name, value);
                    break;
                case 1:
                    parameters.Add((parameters[random.Next(parameters.Count)].Name, value));
                    break;
                default:
                    parameters.Add((Names[random.Next(Names.Length)], value));
                    break;
            }
        }

        return parameters;
    }

    /// <summary>Cursors taken from real pages, then used with another query, truncated, or with bytes flipped.</summary>
    private async Task<List<HostileRequest>> ForgedCursorsAsync()
    {
        var client = factory.CreateClient();
        const string Range = "exchange=binance&symbol=BTC-USDT&from=1970-01-01T00:00:00Z&to=2199-01-01T00:00:00Z&limit=1";
        const string Candles = "exchange=binance&symbol=BTC-USDT&timeframe=1m&from=1970-01-01T00:00:00Z&to=2199-01-01T00:00:00Z&limit=1";
        var cursor = CursorOf(await client.GetStringAsync($"/v1/trades?{Range}", Ct)) ?? "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        var requests = new List<HostileRequest>();
        for (var i = 0; i < cursor.Length; i++)
        {
            var flipped = cursor[..i] + (cursor[i] == 'A' ? 'B' : 'A') + cursor[(i + 1)..];
            requests.Add(new HostileRequest($"/v1/trades?{Range}&cursor={flipped}", []));
            requests.Add(new HostileRequest($"/v1/trades?{Range}&cursor={cursor[..i]}", []));
        }

        requests.Add(new HostileRequest($"/v1/trades?exchange=binance&symbol=ETH-USDT&limit=1&cursor={cursor}", []));
        requests.Add(new HostileRequest($"/v1/candles?{Candles}&cursor={cursor}", []));
        requests.Add(new HostileRequest($"/v1/trades?exchange=binance&symbol=BTC-USDT&limit=1&cursor={cursor}", []));
        return requests;
    }

    private static string? CursorOf(string body) =>
        JsonDocument.Parse(body).RootElement.GetProperty("next_cursor") is { ValueKind: JsonValueKind.String } cursor ? cursor.GetString() : null;

    private async Task<long> CountTradesAsync()
    {
        var options = factory.Services.GetRequiredService<HotStoreOptions>();
        return await factory.Services.GetRequiredService<IClickHouseClient>().QueryAsync(
            $"SELECT count() FROM {options.Database}.silver_trades", null, ClickHouseFormats.TabSeparated,
            static data => long.Parse(Encoding.UTF8.GetString(data).Trim(), System.Globalization.CultureInfo.InvariantCulture), Ct);
    }

    private sealed record HostileRequest(string Target, List<(string Name, string Value)> Headers);
}
