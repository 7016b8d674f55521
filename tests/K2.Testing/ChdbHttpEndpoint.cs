using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.Embedded;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Testing;

/// <summary>
/// The subset of ClickHouse's HTTP interface that <c>ClickHouseHttpClient</c> speaks through the official driver, served on 127.0.0.1 by Kestrel
/// and executed on the process's embedded ClickHouse, because no modern ClickHouse server installs here. It checks
/// credentials (basic authentication, headers or URL; code 516, as a server does), answers <c>X-ClickHouse-Query-Id</c>, reads <c>query</c> plus body, <c>param_*</c> values and
/// <c>default_format</c>, relays <c>INSERT … FORMAT X</c> with its (possibly gzipped) body to a streamed insert, gzips
/// answers when asked, and refuses as a server does: 4xx/500 with <c>X-ClickHouse-Exception-Code</c> and a
/// <c>Code: N. DB::Exception: …</c> body. A <c>SELECT</c> in a streamable format is answered as a server answers
/// it, block by block as the engine streams them (<c>EmbeddedClickHouse.QueryStreamAsync</c>), so a large answer is
/// never held whole here either; when the client goes away, the stream is cancelled. A query that fails after its
/// answer began ends with the server's exception block (see <see cref="StreamAsync"/>). Other statements (chDB
/// streams only SELECT) and other formats are run whole, then sent. Any other URL parameter is a setting, as on a
/// server: an insert passes it to the engine in a <c>SETTINGS</c> clause (so the engine checks its name and value),
/// and any other statement is refused for it rather than run without it, except the two a streamed query sends
/// (<see cref="StreamSettings"/>). Like a 25.11+ server it names an exception tag on every answer
/// (<see cref="TagsExceptions"/>). Faults can be injected to test the client's retries and timeouts, and answers that
/// fail after they began (<see cref="FailNextAnswersMidStream"/>).
/// </summary>
public sealed partial class ChdbHttpEndpoint : IAsyncDisposable
{
    public const string DefaultUser = "k2";
    public const string DefaultPassword = "k2 secret";

    private const string StatementSuffix = " (statement: ";
    private const string ExceptionTagHeader = "X-ClickHouse-Exception-Tag";
    private const string ExceptionMarker = "__exception__";

    /// <summary>A server's exception tag: 16 random lower-case letters and digits (<c>EXCEPTION_TAG_LENGTH</c>).</summary>
    private const int ExceptionTagLength = 16;

    /// <summary>Longest wait for a client to hang up on an answer broken mid-stream (a bound, not an expected time).</summary>
    private static readonly TimeSpan ClientHangUpPatience = TimeSpan.FromSeconds(30);

    /// <summary>Bytes per chunk of an answer broken mid-stream, so the client receives it in several reads.</summary>
    private const int StreamChunkBytes = 8 * 1024;

    /// <summary>URL parameters that are part of the HTTP interface rather than settings (param_* aside).</summary>
    private static readonly HashSet<string> ProtocolParameters = ["query", "query_id", "default_format", "enable_http_compression", "user", "password"];

    /// <summary>
    /// Settings a streamed query sends, accepted on queries: <c>cancel_http_readonly_queries_on_client_close</c> is what
    /// this endpoint does anyway (a client that hangs up cancels its stream); <c>readonly</c> is accepted but not
    /// enforced, since the engine runs the statement without it.
    /// </summary>
    private static readonly HashSet<string> StreamSettings = ["readonly", "cancel_http_readonly_queries_on_client_close"];

    /// <summary>chDB's code for a statement it cannot stream (BAD_ARGUMENTS, "Streaming query is not supported").</summary>
    private const int NotStreamableCode = 36;

    private readonly WebApplication _app;
    private readonly EmbeddedClickHouse _clickHouse;
    private readonly string _user;
    private readonly string _password;
    private readonly ConcurrentQueue<ObservedRequest> _requests = new();
    private readonly System.Threading.Channels.Channel<StreamEnd> _streamEnds = System.Threading.Channels.Channel.CreateUnbounded<StreamEnd>();
    private int _dropsLeft;
    private int _answerDropsLeft;
    private int _unavailableLeft;
    private int _midStreamFailuresLeft;
    private string _midStreamException = "";
    private TaskCompletionSource? _stalled;

    private ChdbHttpEndpoint(WebApplication app, EmbeddedClickHouse clickHouse, string user, string password)
    {
        _app = app;
        _clickHouse = clickHouse;
        _user = user;
        _password = password;
    }

    /// <summary>Where to point the client, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>
    /// Points K2 (as environment variables, <c>K2__Storage__…</c>) at the endpoint listening on <paramref name="url"/>
    /// over HTTP with the default credentials, whether it runs in this process or as its own.
    /// </summary>
    public static void AddK2Environment(IDictionary<string, string> environment, Uri url)
    {
        environment["K2__Storage__Transport"] = "http";
        environment["K2__Storage__Http__Url"] = url.ToString();
        environment["K2__Storage__Http__User"] = DefaultUser;
        environment["K2__Storage__Http__Password"] = DefaultPassword;
    }

    /// <summary>Every request that reached the endpoint, in arrival order (dropped ones included).</summary>
    public IReadOnlyList<ObservedRequest> Requests => [.. _requests];

    /// <summary>
    /// True (the default): as ClickHouse 25.11 and later, every answer names a random tag in
    /// <c>X-ClickHouse-Exception-Tag</c>, and an exception written into a begun answer is framed with it. False: as
    /// 25.10 and earlier, no tag, and the exception follows a bare <c>__exception__</c> line.
    /// </summary>
    public bool TagsExceptions { get; set; } = true;

    /// <summary>How long each request waits before it is handled, to make a client time out.</summary>
    public TimeSpan AnswerDelay { get; set; }

    /// <summary>Waits for the next streamed answer to end, however it ended.</summary>
    public ValueTask<StreamEnd> NextStreamEndAsync(CancellationToken cancellationToken) => _streamEnds.Reader.ReadAsync(cancellationToken);

    /// <summary>
    /// Starts listening on loopback: on <paramref name="port"/>, or on a free port when it is 0 (a process that is
    /// restarted passes its port again, so its clients keep their address).
    /// </summary>
    public static async Task<ChdbHttpEndpoint> StartAsync(
        EmbeddedClickHouse clickHouse, CancellationToken cancellationToken, string user = DefaultUser, string password = DefaultPassword,
        int port = 0)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port);
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
    /// The next <paramref name="count"/> queries that succeed on the engine are answered as a server answers a query
    /// that fails while its result streams: 200 OK, the first half of the real result in chunks, then
    /// <paramref name="exceptionText"/> (e.g. <c>Code: 159. DB::Exception: Timeout exceeded: …</c>) in the form of
    /// <see cref="TagsExceptions"/>, and the connection cut without the last chunk (and, when gzipped, without the gzip
    /// trailer), the server's deliberate break of the HTTP framing.
    /// </summary>
    public void FailNextAnswersMidStream(int count, string exceptionText)
    {
        Volatile.Write(ref _midStreamException, exceptionText);
        Volatile.Write(ref _midStreamFailuresLeft, count);
    }

    /// <summary>
    /// The next <paramref name="count"/> requests get 503 without a ClickHouse error code, as from a proxy in front of
    /// a server that is restarting.
    /// </summary>
    public void MakeNextRequestsUnavailable(int count) => Volatile.Write(ref _unavailableLeft, count);

    /// <summary>
    /// Every request from now on waits unanswered (accepted, as by a server that hangs) until <see cref="Resume"/> or
    /// until its client gives up.
    /// </summary>
    public void Stall() => Interlocked.CompareExchange(ref _stalled, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);

    /// <summary>Ends a <see cref="Stall"/>: the requests held go on, in no particular order.</summary>
    public void Resume() => Interlocked.Exchange(ref _stalled, null)?.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        Resume();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var gzipBody = request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase);
        var gzipAnswer = IsTrue(request.Query["enable_http_compression"].ToString())
            && request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase);
        var urlQuery = request.Query["query"].ToString();
        _requests.Enqueue(new ObservedRequest(
            urlQuery, gzipBody, gzipAnswer,
            [.. request.Query.Where(q => !ProtocolParameters.Contains(q.Key) && !q.Key.StartsWith("param_", StringComparison.Ordinal))
                .Select(q => new KeyValuePair<string, string>(q.Key, q.Value.ToString()))]));

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

        if (Volatile.Read(ref _stalled) is { } stalled)
        {
            try
            {
                await stalled.Task.WaitAsync(context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the client gave up
            }
        }

        // As a server: the query's id, the client's or a fresh one, named on every answer.
        context.Response.Headers["X-ClickHouse-Query-Id"] = request.Query["query_id"] is { Count: > 0 } queryId ? queryId.ToString() : Guid.NewGuid().ToString();
        var tag = TagsExceptions ? NewExceptionTag() : null;
        if (tag is not null)
        {
            context.Response.Headers[ExceptionTagHeader] = tag;
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

        var (user, password) = Credentials(request);
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

            settings.RemoveAll(s => StreamSettings.Contains(s.Key));
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
            var answerFaultPending = Volatile.Read(ref _answerDropsLeft) > 0 || Volatile.Read(ref _midStreamFailuresLeft) > 0;
            if (ClickHouseFormats.Streamable.Contains(format) && !answerFaultPending
                && await StreamAsync(context, sql, parameters, format, gzipAnswer, tag))
            {
                return;
            }

            var result = await _clickHouse.QueryAsync(sql, parameters, format, static data => data.ToArray(), context.RequestAborted);
            if (TakeOne(ref _answerDropsLeft))
            {
                context.Abort();
                return;
            }

            if (TakeOne(ref _midStreamFailuresLeft))
            {
                await AnswerThenFailMidStreamAsync(context, result, gzipAnswer, tag, Volatile.Read(ref _midStreamException));
                return;
            }

            await AnswerAsync(context, result, gzipAnswer);
        }
        catch (ClickHouseException e)
        {
            await RefuseAsync(context, e.ErrorCode ?? 1001, ServerText(e));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing is left to answer.
        }
    }

    /// <summary>
    /// Answers a <c>SELECT</c> as a server does, each streamed piece sent as it comes (through gzip when asked). A
    /// failure before the first piece is left to the caller, which refuses the request as usual. A failure after it
    /// ends the body with the exception block: tagged, the body then ends properly (the tag marks the block wherever
    /// it is, so a client finds it either way); untagged, the connection is reset, since only a broken body makes that
    /// form an error rather than data (a server breaks the framing in both cases; Kestrel cannot do that without
    /// writing on the socket itself, which <see cref="AnswerThenFailMidStreamAsync"/> does for the injected fault).
    /// False when the engine cannot stream the statement (chDB streams only SELECT); nothing was sent then.
    /// </summary>
    private async Task<bool> StreamAsync(HttpContext context, string sql, ClickHouseParameters parameters, string format, bool gzip, string? tag)
    {
        var response = context.Response;
        response.ContentType = "application/octet-stream";
        GZipStream? compressor = null;
        long sent = 0;
        try
        {
            await _clickHouse.QueryStreamAsync(sql, parameters, format, async (chunk, cancellationToken) =>
            {
                if (gzip && compressor is null)
                {
                    response.Headers.ContentEncoding = "gzip";
                    compressor = new GZipStream(response.Body, CompressionLevel.Fastest, leaveOpen: true);
                }

                await (compressor ?? response.Body).WriteAsync(chunk, cancellationToken);
                sent += chunk.Length;
            }, context.RequestAborted);
            if (compressor is not null)
            {
                await compressor.DisposeAsync();
            }

            _streamEnds.Writer.TryWrite(new StreamEnd(StreamOutcome.Completed, sent));
            return true;
        }
        catch (ClickHouseException e) when (sent == 0 && e.ErrorCode == NotStreamableCode && e.Message.Contains("Streaming query is not supported", StringComparison.Ordinal))
        {
            return false;
        }
        catch (ClickHouseException e) when (sent > 0)
        {
            _streamEnds.Writer.TryWrite(new StreamEnd(StreamOutcome.Failed, sent));
            await (compressor ?? response.Body).WriteAsync(ExceptionBlock(tag, ServerText(e)), context.RequestAborted);
            if (compressor is not null)
            {
                await compressor.DisposeAsync();
            }

            if (tag is null)
            {
                await response.Body.FlushAsync(context.RequestAborted);
                context.Abort();
            }

            return true;
        }
        catch (ClickHouseException)
        {
            _streamEnds.Writer.TryWrite(new StreamEnd(StreamOutcome.Failed, sent));
            throw;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            _streamEnds.Writer.TryWrite(new StreamEnd(StreamOutcome.Cancelled, sent));
            throw;
        }
    }

    /// <summary>The engine's message without the statement K2 appends to it, as a server words it.</summary>
    private static string ServerText(ClickHouseException e)
    {
        var statement = e.Message.LastIndexOf(StatementSuffix, StringComparison.Ordinal);
        return statement > 0 ? e.Message[..statement] : e.Message;
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

    /// <summary>
    /// The request's user and password, in the three ways a server takes them: HTTP basic authentication, the
    /// <c>X-ClickHouse-User</c>/<c>X-ClickHouse-Key</c> headers, or the <c>user</c>/<c>password</c> URL parameters.
    /// </summary>
    private static (string User, string Password) Credentials(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim()));
                var colon = pair.IndexOf(':', StringComparison.Ordinal);
                return colon < 0 ? (pair, "") : (pair[..colon], pair[(colon + 1)..]);
            }
            catch (FormatException)
            {
                return ("", ""); // not base64: refused as wrong credentials
            }
        }

        return (HeaderOrQuery(request, "X-ClickHouse-User", "user") ?? "default", HeaderOrQuery(request, "X-ClickHouse-Key", "password") ?? "");
    }

    /// <summary>A boolean setting as a server reads it: <c>1</c> or <c>true</c> (any case) is on.</summary>
    private static bool IsTrue(string value) => value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase);

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

    /// <summary>
    /// Answers 200 OK with the first half of <paramref name="result"/> in chunks, then the exception block in a chunk
    /// of its own, as <c>WriteBufferFromHTTP1ServerResponse::cancelWithException</c> writes it (through the compressor
    /// when the answer is gzipped), then ends the connection (FIN) without the last chunk or the gzip trailer: the
    /// server's deliberate break of the HTTP framing. The answer is written on the socket directly, not through
    /// Kestrel: Kestrel can only end a response properly or reset the connection (a reset can discard bytes the client
    /// has received but not read yet), and a flush through it does not mean the bytes reached the socket, so ending the
    /// connection after a flush could cut them off.
    /// </summary>
    private static async Task AnswerThenFailMidStreamAsync(HttpContext context, byte[] result, bool gzip, string? tag, string exceptionText)
    {
        var head = new StringBuilder("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n");
        head.Append(gzip ? "Content-Encoding: gzip\r\n" : "").Append(tag is null ? "" : $"{ExceptionTagHeader}: {tag}\r\n").Append("\r\n");
        using var wire = new MemoryStream();
        wire.Write(Encoding.ASCII.GetBytes(head.ToString()));

        using var compressedBytes = new MemoryStream();
        using var compressor = gzip ? new GZipStream(compressedBytes, CompressionLevel.Fastest, leaveOpen: true) : null;
        void Chunk(ReadOnlySpan<byte> bytes)
        {
            if (compressor is not null)
            {
                compressor.Write(bytes);
                compressor.Flush(); // emits everything compressed so far
                bytes = compressedBytes.GetBuffer().AsSpan(0, (int)compressedBytes.Length);
            }

            wire.Write(Encoding.ASCII.GetBytes($"{bytes.Length:x}\r\n"));
            wire.Write(bytes);
            wire.Write("\r\n"u8);
            compressedBytes.SetLength(0);
        }

        var streamed = result.Length / 2;
        for (var offset = 0; offset < streamed; offset += StreamChunkBytes)
        {
            Chunk(result.AsSpan(offset, Math.Min(StreamChunkBytes, streamed - offset)));
        }

        Chunk(ExceptionBlock(tag, exceptionText));

        var socket = context.Features.GetRequiredFeature<IConnectionSocketFeature>().Socket;
        await socket.SendAsync(wire.GetBuffer().AsMemory(0, (int)wire.Length), SocketFlags.None, context.RequestAborted);
        socket.Shutdown(SocketShutdown.Send);

        // Wait for the client to hang up before Kestrel gets the connection back, so nothing follows the broken answer.
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        patience.CancelAfter(ClientHangUpPatience);
        try
        {
            await Task.Delay(Timeout.Infinite, patience.Token);
        }
        catch (OperationCanceledException)
        {
            // The client hung up (or did not within the patience); either way the answer stays broken.
        }

        context.Abort();
    }

    /// <summary>
    /// The exception block of a begun answer. Tagged (25.11+):
    /// <c>\r\n__exception__\r\n{tag}\r\n{message}\n{length} {tag}\r\n__exception__\r\n</c>, length counting the
    /// message's bytes with its line break. Untagged (before): <c>__exception__\r\n{message}\n</c>.
    /// </summary>
    private static byte[] ExceptionBlock(string? tag, string exceptionText)
    {
        var message = exceptionText.EndsWith('\n') ? exceptionText : exceptionText + "\n";
        return Encoding.UTF8.GetBytes(tag is null
            ? $"{ExceptionMarker}\r\n{message}"
            : $"\r\n{ExceptionMarker}\r\n{tag}\r\n{message}{Encoding.UTF8.GetByteCount(message).ToString(CultureInfo.InvariantCulture)} {tag}\r\n{ExceptionMarker}\r\n");
    }

    private static string NewExceptionTag() =>
        string.Create(ExceptionTagLength, 0, static (tag, _) =>
        {
            const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
            for (var i = 0; i < tag.Length; i++)
            {
                tag[i] = Alphabet[Random.Shared.Next(Alphabet.Length)];
            }
        });

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

/// <summary>What a request to <see cref="ChdbHttpEndpoint"/> looked like on the wire; <paramref name="Settings"/> are its URL settings.</summary>
public sealed record ObservedRequest(string UrlQuery, bool GzipBody, bool GzipAnswer, IReadOnlyList<KeyValuePair<string, string>> Settings);

/// <summary>How a streamed answer of <see cref="ChdbHttpEndpoint"/> ended, and how many bytes of it the engine had handed over by then.</summary>
public sealed record StreamEnd(StreamOutcome Outcome, long Bytes);

public enum StreamOutcome
{
    Completed,
    Failed,
    Cancelled,
}
