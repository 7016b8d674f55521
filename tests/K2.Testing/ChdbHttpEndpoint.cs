using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.Embedded;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Testing;

/// <summary>
/// The subset of ClickHouse's HTTP interface that <c>ClickHouseHttpClient</c> speaks, served on 127.0.0.1 by Kestrel
/// and executed on the process's embedded ClickHouse, because no modern ClickHouse server installs here. It checks
/// credentials (code 516, as a server does), reads <c>query</c> plus body, <c>param_*</c> values and
/// <c>default_format</c>, relays <c>INSERT … FORMAT X</c> with its (possibly gzipped) body to a streamed insert, gzips
/// answers when asked, and refuses as a server does: 4xx/500 with <c>X-ClickHouse-Exception-Code</c> and a
/// <c>Code: N. DB::Exception: …</c> body. Any other URL parameter is a setting, as on a server: an insert passes it to
/// the engine in a <c>SETTINGS</c> clause (so the engine checks its name and value), and any other statement is
/// refused for it rather than run without it. Faults can be injected to test the client's retries and timeouts.
/// </summary>
public sealed partial class ChdbHttpEndpoint : IAsyncDisposable
{
    public const string DefaultUser = "k2";
    public const string DefaultPassword = "k2 secret";

    private const string StatementSuffix = " (statement: ";

    /// <summary>URL parameters that are part of the HTTP interface rather than settings (param_* aside).</summary>
    private static readonly HashSet<string> ProtocolParameters = ["query", "default_format", "enable_http_compression", "user", "password"];

    private readonly WebApplication _app;
    private readonly EmbeddedClickHouse _clickHouse;
    private readonly string _user;
    private readonly string _password;
    private readonly ConcurrentQueue<ObservedRequest> _requests = new();
    private int _dropsLeft;
    private int _answerDropsLeft;
    private int _unavailableLeft;

    private ChdbHttpEndpoint(WebApplication app, EmbeddedClickHouse clickHouse, string user, string password)
    {
        _app = app;
        _clickHouse = clickHouse;
        _user = user;
        _password = password;
    }

    /// <summary>Where to point the client, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Every request that reached the endpoint, in arrival order (dropped ones included).</summary>
    public IReadOnlyList<ObservedRequest> Requests => [.. _requests];

    /// <summary>How long each request waits before it is handled, to make a client time out.</summary>
    public TimeSpan AnswerDelay { get; set; }

    /// <summary>Starts listening on a free loopback port.</summary>
    public static async Task<ChdbHttpEndpoint> StartAsync(
        EmbeddedClickHouse clickHouse, CancellationToken cancellationToken, string user = DefaultUser, string password = DefaultPassword)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Limits.MaxRequestBodySize = null; // inserts can be large, as on a real server
        });
        var app = builder.Build();
        var endpoint = new ChdbHttpEndpoint(app, clickHouse, user, password);
        app.Run(endpoint.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        endpoint.Url = new Uri($"{address}/");
        return endpoint;
    }

    /// <summary>The next <paramref name="count"/> requests are cut off without an answer, as by a crashing server.</summary>
    public void DropNextRequests(int count) => Volatile.Write(ref _dropsLeft, count);

    /// <summary>
    /// The next <paramref name="count"/> requests run on the engine, then the connection is cut before the answer, as
    /// when a server commits an insert and the connection drops (or the client times out) before the client hears of
    /// it: the client sees a failure for a statement that took effect.
    /// </summary>
    public void DropNextAnswers(int count) => Volatile.Write(ref _answerDropsLeft, count);

    /// <summary>
    /// The next <paramref name="count"/> requests get 503 without a ClickHouse error code, as from a proxy in front of
    /// a server that is restarting.
    /// </summary>
    public void MakeNextRequestsUnavailable(int count) => Volatile.Write(ref _unavailableLeft, count);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var gzipBody = request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase);
        var gzipAnswer = request.Query["enable_http_compression"] == "1"
            && request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase);
        var urlQuery = request.Query["query"].ToString();
        _requests.Enqueue(new ObservedRequest(urlQuery, gzipBody, gzipAnswer));

        if (TakeOne(ref _dropsLeft))
        {
            context.Abort();
            return;
        }

        if (TakeOne(ref _unavailableLeft))
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        if (AnswerDelay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(AnswerDelay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the client gave up
            }
        }

        var user = HeaderOrQuery(request, "X-ClickHouse-User", "user") ?? "default";
        var password = HeaderOrQuery(request, "X-ClickHouse-Key", "password") ?? "";
        if (user != _user || password != _password)
        {
            await RefuseAsync(context, 516,
                $"Code: 516. DB::Exception: {user}: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)");
            return;
        }

        var body = await ReadBodyAsync(request, gzipBody, context.RequestAborted);
        var settings = request.Query.Where(q => !ProtocolParameters.Contains(q.Key) && !q.Key.StartsWith("param_", StringComparison.Ordinal)).ToList();
        try
        {
            if (InsertWithFormat().Match(urlQuery) is { Success: true } insert)
            {
                var statement = insert.Groups["statement"].Value + SettingsClause(settings);
                var written = await _clickHouse.InsertAsync(statement, insert.Groups["format"].Value, body, context.RequestAborted);
                if (TakeOne(ref _answerDropsLeft))
                {
                    context.Abort();
                    return;
                }

                context.Response.Headers["X-ClickHouse-Summary"] = $"{{\"written_rows\":\"{written.ToString(CultureInfo.InvariantCulture)}\"}}";
                return;
            }

            if (settings.Count > 0)
            {
                await RefuseAsync(context, 48,
                    $"Code: 48. DB::Exception: The test endpoint passes settings to the engine only on INSERT; got {string.Join(", ", settings.Select(s => s.Key))}. (NOT_IMPLEMENTED)");
                return;
            }

            // As a server does: the query parameter, a line break, then the body.
            var bodyText = Encoding.UTF8.GetString(body);
            var sql = urlQuery.Length == 0 ? bodyText : bodyText.Length == 0 ? urlQuery : $"{urlQuery}\n{bodyText}";
            var parameters = new ClickHouseParameters();
            foreach (var (name, value) in request.Query.Where(q => q.Key.StartsWith("param_", StringComparison.Ordinal)))
            {
                parameters.AddEscaped(name["param_".Length..], value.ToString());
            }

            var format = request.Query["default_format"] is { Count: > 0 } given ? given.ToString() : ClickHouseFormats.TabSeparated;
            var result = await _clickHouse.QueryAsync(sql, parameters, format, static data => data.ToArray(), context.RequestAborted);
            if (TakeOne(ref _answerDropsLeft))
            {
                context.Abort();
                return;
            }

            await AnswerAsync(context, result, gzipAnswer);
        }
        catch (ClickHouseException e)
        {
            var message = e.Message;
            var statement = message.LastIndexOf(StatementSuffix, StringComparison.Ordinal);
            await RefuseAsync(context, e.ErrorCode ?? 1001, statement > 0 ? message[..statement] : message);
        }
    }

    /// <summary>Takes one from a fault counter that concurrent requests share; false once it is used up.</summary>
    private static bool TakeOne(ref int faultsLeft)
    {
        while (true)
        {
            var left = Volatile.Read(ref faultsLeft);
            if (left <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref faultsLeft, left - 1, left) == left)
            {
                return true;
            }
        }
    }

    /// <summary>
    /// <c> SETTINGS a = 'x', b = 'y'</c> for the request's settings, or nothing. Names must be identifiers; values are
    /// quoted as string literals, which ClickHouse converts to each setting's type, as it does for URL settings.
    /// </summary>
    private static string SettingsClause(IReadOnlyList<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> settings)
    {
        if (settings.Count == 0)
        {
            return "";
        }

        var bad = settings.FirstOrDefault(s => s.Key.Length == 0 || !s.Key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'));
        if (bad.Key is not null)
        {
            throw new ClickHouseException($"Code: 115. DB::Exception: Unknown setting '{bad.Key}'. (UNKNOWN_SETTING)");
        }

        return " SETTINGS " + string.Join(", ", settings.Select(s =>
            $"{s.Key} = '{s.Value.ToString().Replace(@"\", @"\\", StringComparison.Ordinal).Replace("'", @"\'", StringComparison.Ordinal)}'"));
    }

    private static string? HeaderOrQuery(HttpRequest request, string header, string parameter) =>
        request.Headers.TryGetValue(header, out var value) ? value.ToString()
        : request.Query.TryGetValue(parameter, out var fromQuery) ? fromQuery.ToString()
        : null;

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, bool gzip, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        if (gzip)
        {
            await using var decompressed = new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
            await decompressed.CopyToAsync(buffer, cancellationToken);
        }
        else
        {
            await request.Body.CopyToAsync(buffer, cancellationToken);
        }

        return buffer.ToArray();
    }

    private static async Task AnswerAsync(HttpContext context, byte[] result, bool gzip)
    {
        var response = context.Response;
        response.ContentType = "application/octet-stream";
        if (!gzip)
        {
            response.ContentLength = result.Length;
            await response.Body.WriteAsync(result, context.RequestAborted);
            return;
        }

        response.Headers.ContentEncoding = "gzip";
        await using var compressed = new GZipStream(response.Body, CompressionLevel.Fastest, leaveOpen: true);
        await compressed.WriteAsync(result, context.RequestAborted);
    }

    /// <summary>A refusal as a server sends it: the HTTP status ClickHouse maps the code to, the code header, the text.</summary>
    private static Task RefuseAsync(HttpContext context, int code, string message)
    {
        context.Response.StatusCode = code switch
        {
            516 => StatusCodes.Status403Forbidden, // AUTHENTICATION_FAILED
            62 => StatusCodes.Status400BadRequest, // SYNTAX_ERROR
            60 or 81 => StatusCodes.Status404NotFound, // UNKNOWN_TABLE, UNKNOWN_DATABASE
            _ => StatusCodes.Status500InternalServerError,
        };
        context.Response.Headers["X-ClickHouse-Exception-Code"] = code.ToString(CultureInfo.InvariantCulture);
        context.Response.ContentType = "text/plain; charset=UTF-8";
        return context.Response.WriteAsync(message.Trim() + "\n", context.RequestAborted);
    }

    [GeneratedRegex(@"^\s*(?<statement>INSERT\s.+?)\s+FORMAT\s+(?<format>\w+)\s*$", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex InsertWithFormat();
}

/// <summary>What a request to <see cref="ChdbHttpEndpoint"/> looked like on the wire.</summary>
public sealed record ObservedRequest(string UrlQuery, bool GzipBody, bool GzipAnswer);
