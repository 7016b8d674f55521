using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace K2.Storage.ClickHouse.Http;

/// <summary>
/// A ClickHouse server behind <see cref="IClickHouseClient"/>, over its HTTP interface
/// (https://clickhouse.com/docs/interfaces/http). Every statement is a POST: queries carry their SQL in the body and
/// their values as <c>param_name=</c> URL parameters; inserts carry <c>INSERT … FORMAT X</c> in the <c>query</c>
/// parameter and the encoded rows, gzipped, as the body. Credentials travel in <c>X-ClickHouse-User</c> and
/// <c>X-ClickHouse-Key</c>. A refusal becomes a <see cref="ClickHouseException"/> with the server's code and message,
/// and so does an error the server wrote into an answer it had already begun with 200 OK (<see cref="MidStreamException"/>):
/// such an answer is never handed over as data.
/// Only queries are retried, and only when the failure happened below ClickHouse: an insert or DDL may already have
/// taken effect when its connection dropped, so retrying those is the writer's or the operator's call.
/// </summary>
/// <remarks>
/// No <c>database</c> parameter is sent: K2 names its database in every statement, and a server refuses every request
/// whose <c>database</c> does not exist yet (UNKNOWN_DATABASE), which would include the migration that creates it.
/// </remarks>
public sealed partial class ClickHouseHttpClient : IClickHouseClient, IDisposable
{
    private const string ExceptionCodeHeader = "X-ClickHouse-Exception-Code";
    private const string SummaryHeader = "X-ClickHouse-Summary";
    private const int MaxErrorChars = 16 * 1024;

    /// <summary>How much of a streamed answer is read before it is passed on (plus the tail held back).</summary>
    private const int StreamReadBytes = 1024 * 1024;

    /// <summary>URL settings of a streamed query: a read-only query the server cancels when the connection closes.</summary>
    private static readonly KeyValuePair<string, string>[] StreamSettings =
        [new("readonly", "2"), new("cancel_http_readonly_queries_on_client_close", "1")];

    private readonly ClickHouseHttpOptions _options;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly string _server;

    public ClickHouseHttpClient(ClickHouseHttpOptions options, ILogger<ClickHouseHttpClient> logger)
    {
        _options = options;
        _logger = logger;
        _server = options.Url.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);
        var handler = new SocketsHttpHandler
        {
            AutomaticDecompression = options.Compression ? DecompressionMethods.GZip : DecompressionMethods.None,
            ConnectTimeout = options.Timeout,
            // Below ClickHouse's keep_alive_timeout (3 s on older servers), so a pooled connection is never reused just
            // as the server closes it.
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(2),
        };
        // The per-request deadline is ours (Timeout covers the whole answer, not just the headers).
        _http = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    public Task ExecuteAsync(string sql, ClickHouseParameters? parameters, CancellationToken cancellationToken) =>
        SendAsync(() => StatementRequest(sql, parameters, format: null), sql, (response, token) => ReadToEndAsync(response, sql, token), cancellationToken);

    public async Task<T> QueryAsync<T>(
        string sql, ClickHouseParameters? parameters, string format, ClickHouseResultReader<T> read, CancellationToken cancellationToken)
    {
        var delay = _options.ReadRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SendAsync(
                    () => StatementRequest(sql, parameters, format), sql,
                    async (response, token) =>
                    {
                        using var result = await ReadAnswerAsync(response, sql, token);
                        return read(result.Span);
                    },
                    cancellationToken);
            }
            catch (ClickHouseException e) when (attempt <= _options.ReadRetries && FailedBelowClickHouse(e))
            {
                LogReadRetried(_logger, e, _server, attempt, _options.ReadRetries + 1, delay);
                await Task.Delay(delay, cancellationToken);
                delay *= 2;
            }
        }
    }

    /// <summary>
    /// Streams the answer's body to <paramref name="write"/> as it arrives, holding back only its last
    /// <see cref="MidStreamException.MaxBlockBytes"/>: that is where a server puts an error it hit after the answer
    /// began, so an error block is never written as data, and the method throws it instead (after the pieces before it
    /// went out). <see cref="ClickHouseHttpOptions.Timeout"/> bounds the wait for the answer to begin and then each wait
    /// for more of it, not the whole answer, which takes as long as the writer takes. Retried like a query only while
    /// nothing has been written. The request asks the server to cancel the query when this connection closes
    /// (<c>cancel_http_readonly_queries_on_client_close</c>, which takes effect only with <c>readonly</c>; level 2
    /// still allows a query's own settings), so a cancelled stream leaves nothing running there either.
    /// </summary>
    public async Task QueryStreamAsync(
        string sql, ClickHouseParameters? parameters, string format, ClickHouseChunkWriter write, CancellationToken cancellationToken)
    {
        ClickHouseFormats.ThrowIfNotStreamable(format);
        ArgumentNullException.ThrowIfNull(write);
        var delay = _options.ReadRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            var began = false;
            try
            {
                await StreamAnswerAsync(sql, parameters, format, (chunk, token) =>
                {
                    began = true;
                    return write(chunk, token);
                }, cancellationToken);
                return;
            }
            catch (ClickHouseException e) when (!began && attempt <= _options.ReadRetries && FailedBelowClickHouse(e))
            {
                LogReadRetried(_logger, e, _server, attempt, _options.ReadRetries + 1, delay);
                await Task.Delay(delay, cancellationToken);
                delay *= 2;
            }
        }
    }

    /// <summary>
    /// Returns the rows written as the server reports them in <c>X-ClickHouse-Summary</c> (0 if it does not). A
    /// deduplication token is sent as the <c>insert_deduplication_token</c> URL setting.
    /// </summary>
    public Task<long> InsertAsync(string insertStatement, string format, ReadOnlyMemory<byte> data, string? deduplicationToken, CancellationToken cancellationToken)
    {
        InsertDeduplicationToken.ThrowIfInvalid(deduplicationToken);
        List<KeyValuePair<string, string>> query = [new("query", $"{insertStatement} FORMAT {format}")];
        if (deduplicationToken is not null)
        {
            query.Add(new("insert_deduplication_token", deduplicationToken));
        }

        return SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, RequestUri(query))
            {
                Content = _options.Compression ? new GzipContent(data) : new ReadOnlyMemoryContent(data),
            },
            insertStatement,
            async (response, token) =>
            {
                await ReadToEndAsync(response, insertStatement, token);
                return WrittenRows(response);
            },
            cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    /// <summary>
    /// One attempt: sends the request and hands a successful answer to <paramref name="readAnswer"/>, all within
    /// <see cref="ClickHouseHttpOptions.Timeout"/>. Every failure leaves as a <see cref="ClickHouseException"/>; one
    /// that happened below ClickHouse carries the <see cref="HttpRequestException"/> or <see cref="IOException"/>.
    /// </summary>
    private async Task<T> SendAsync<T>(
        Func<HttpRequestMessage> createRequest, string statement, Func<HttpResponseMessage, CancellationToken, Task<T>> readAnswer,
        CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.Timeout);
        try
        {
            using var request = createRequest();
            request.Headers.Add("X-ClickHouse-User", _options.User);
            request.Headers.Add("X-ClickHouse-Key", _options.Password);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw await RefusalAsync(response, statement, deadline.Token);
            }

            return await readAnswer(response, deadline.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ClickHouseException(
                $"ClickHouse at {_server} did not answer within {_options.Timeout} (K2:Storage:Http:Timeout; statement: {Abbreviate(statement)})",
                inner: new TimeoutException($"No complete answer within {_options.Timeout}.", e));
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new ClickHouseException($"ClickHouse at {_server} could not be reached: {e.Message} (statement: {Abbreviate(statement)})", inner: e);
        }
    }

    /// <summary>
    /// One attempt of <see cref="QueryStreamAsync"/>. Failures of the connection or the server's silence leave as
    /// <see cref="SendAsync{T}"/>'s do; whatever <paramref name="write"/> throws leaves unchanged.
    /// </summary>
    private async Task StreamAnswerAsync(
        string sql, ClickHouseParameters? parameters, string format, ClickHouseChunkWriter write, CancellationToken cancellationToken)
    {
        // The pool may hand out a larger array; only this much of it is used, so pieces have the same size every time.
        const int Capacity = StreamReadBytes + MidStreamException.MaxBlockBytes;
        var buffer = ArrayPool<byte>.Shared.Rent(Capacity);
        try
        {
            using var request = StatementRequest(sql, parameters, format, StreamSettings);
            request.Headers.Add("X-ClickHouse-User", _options.User);
            request.Headers.Add("X-ClickHouse-Key", _options.Password);
            using var beginning = Deadline();
            using var response = await FromServerAsync(_http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, beginning.Token));
            if (!response.IsSuccessStatusCode)
            {
                throw await FromServerAsync(RefusalAsync(response, sql, beginning.Token));
            }

            var tag = response.Headers.TryGetValues(MidStreamException.TagHeader, out var tags) ? tags.FirstOrDefault() : null;
            await using var body = await FromServerAsync(response.Content.ReadAsStreamAsync(beginning.Token));
            var held = 0;
            while (true)
            {
                // Everything but the last MaxBlockBytes goes out whenever the buffer is full.
                if (held == Capacity)
                {
                    var ready = held - MidStreamException.MaxBlockBytes;
                    await write(buffer.AsMemory(0, ready), cancellationToken);
                    buffer.AsSpan(ready, MidStreamException.MaxBlockBytes).CopyTo(buffer);
                    held = MidStreamException.MaxBlockBytes;
                }

                int read;
                try
                {
                    using var more = Deadline();
                    read = await body.ReadAsync(buffer.AsMemory(held, Capacity - held), more.Token);
                }
                catch (Exception e) when (e is HttpRequestException or IOException
                    && MidStreamException.Find(buffer.AsSpan(0, held), tag, framingBroke: true) is { } broken)
                {
                    throw MidStreamFailure(broken, sql);
                }
                catch (Exception e) when (IsTransportFailure(e, cancellationToken))
                {
                    throw TransportFailure(e, sql);
                }

                if (read == 0)
                {
                    break;
                }

                held += read;
            }

            if (MidStreamException.Find(buffer.AsSpan(0, held), tag, framingBroke: false) is { } written)
            {
                throw MidStreamFailure(written, sql);
            }

            if (held > 0)
            {
                await write(buffer.AsMemory(0, held), cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        // A deadline for one wait on the server (not for the writer, which takes as long as it takes).
        CancellationTokenSource Deadline()
        {
            var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_options.Timeout);
            return deadline;
        }

        async Task<T> FromServerAsync<T>(Task<T> call)
        {
            try
            {
                return await call;
            }
            catch (Exception e) when (IsTransportFailure(e, cancellationToken))
            {
                throw TransportFailure(e, sql);
            }
        }
    }

    /// <summary>The connection failed, or the server was silent past the timeout (not the caller's cancellation).</summary>
    private static bool IsTransportFailure(Exception e, CancellationToken callerToken) =>
        e is HttpRequestException or IOException || (e is OperationCanceledException && !callerToken.IsCancellationRequested);

    private ClickHouseException TransportFailure(Exception e, string statement) =>
        e is OperationCanceledException
            ? new ClickHouseException(
                $"ClickHouse at {_server} sent nothing for {_options.Timeout} (K2:Storage:Http:Timeout; statement: {Abbreviate(statement)})",
                inner: new TimeoutException($"No answer, or no more of it, within {_options.Timeout}.", e))
            : new ClickHouseException($"ClickHouse at {_server} could not be reached: {e.Message} (statement: {Abbreviate(statement)})", inner: e);

    /// <summary>
    /// The server's refusal: code from <c>X-ClickHouse-Exception-Code</c> (else from the body's <c>Code: N.</c>),
    /// message from the body. A 5xx that ClickHouse did not explain came from in front of it (a proxy, a server still
    /// starting), so it is marked as a failure below ClickHouse and a query may retry it.
    /// </summary>
    private static async Task<ClickHouseException> RefusalAsync(HttpResponseMessage response, string statement, CancellationToken cancellationToken)
    {
        var body = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
        if (body.Length > MaxErrorChars)
        {
            body = string.Concat(body.AsSpan(0, MaxErrorChars), "…");
        }

        var status = (int)response.StatusCode;
        var message = $"{(body.Length > 0 ? body : $"HTTP {status} {response.ReasonPhrase}")} (statement: {Abbreviate(statement)})";
        int? code = response.Headers.TryGetValues(ExceptionCodeHeader, out var values)
            && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
        var refusal = new ClickHouseException(message, code);
        return refusal.ErrorCode is null && status >= 500
            ? new ClickHouseException(message, inner: new HttpRequestException($"HTTP {status} without a ClickHouse error code", null, response.StatusCode))
            : refusal;
    }

    private static bool FailedBelowClickHouse(ClickHouseException e) => e.InnerException is HttpRequestException or IOException;

    private HttpRequestMessage StatementRequest(
        string sql, ClickHouseParameters? parameters, string? format, IEnumerable<KeyValuePair<string, string>>? settings = null)
    {
        var query = new List<KeyValuePair<string, string>>(settings ?? []);
        if (format is not null)
        {
            query.Add(new("default_format", format));
        }

        if (_options.Compression)
        {
            query.Add(new("enable_http_compression", "1"));
        }

        // The values are already in ClickHouse's escaped text form, the form param_ expects.
        query.AddRange(parameters?.Values.Select(p => new KeyValuePair<string, string>($"param_{p.Key}", p.Value)) ?? []);
        return new HttpRequestMessage(HttpMethod.Post, RequestUri(query)) { Content = new StringContent(sql, Encoding.UTF8, "text/plain") };
    }

    private Uri RequestUri(IEnumerable<KeyValuePair<string, string>> query) =>
        new(_options.Url, "?" + string.Join('&', query.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")));

    /// <summary>
    /// Reads a whole answer into one pooled buffer, or throws the error the server wrote at its end
    /// (<see cref="MidStreamException"/>).
    /// </summary>
    private static async Task<PooledResponseBuffer> ReadAnswerAsync(HttpResponseMessage response, string statement, CancellationToken cancellationToken)
    {
        var buffer = PooledResponseBuffer.Create(response.Content.Headers.ContentLength);
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            await ReadCheckingForMidStreamExceptionAsync(
                response, statement, () => buffer.AppendToEndAsync(body, cancellationToken),
                () => buffer.Span[^Math.Min(buffer.Span.Length, MidStreamException.MaxBlockBytes)..]);
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Waits for the statement to finish (the server answers only when it is done), keeping only the end of any
    /// answer, which is where an error written after the status went out would be.
    /// </summary>
    private static async Task<bool> ReadToEndAsync(HttpResponseMessage response, string statement, CancellationToken cancellationToken)
    {
        // The last MaxBlockBytes of the body, at most, are kept: when the window is full, its second half moves down.
        var window = ArrayPool<byte>.Shared.Rent(2 * MidStreamException.MaxBlockBytes);
        var length = 0;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            await ReadCheckingForMidStreamExceptionAsync(
                response, statement,
                async () =>
                {
                    int read;
                    do
                    {
                        if (length == window.Length)
                        {
                            window.AsSpan(length - MidStreamException.MaxBlockBytes, MidStreamException.MaxBlockBytes).CopyTo(window);
                            length = MidStreamException.MaxBlockBytes;
                        }

                        read = await body.ReadAsync(window.AsMemory(length), cancellationToken);
                        length += read;
                    }
                    while (read > 0);
                },
                () => window.AsSpan(0, length));
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(window);
        }
    }

    /// <summary>
    /// Runs <paramref name="readBody"/>, then looks at the end of what it read (<paramref name="tail"/>) for an error
    /// the server wrote into the answer, whether the body ended properly or broke off, as the server makes it do.
    /// </summary>
    private static async Task ReadCheckingForMidStreamExceptionAsync(
        HttpResponseMessage response, string statement, Func<Task> readBody, TailOf tail)
    {
        var tag = response.Headers.TryGetValues(MidStreamException.TagHeader, out var tags) ? tags.FirstOrDefault() : null;
        try
        {
            await readBody();
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            if (MidStreamException.Find(tail(), tag, framingBroke: true) is { } broken)
            {
                throw MidStreamFailure(broken, statement);
            }

            throw;
        }

        if (MidStreamException.Find(tail(), tag, framingBroke: false) is { } written)
        {
            throw MidStreamFailure(written, statement);
        }
    }

    /// <summary>
    /// An error from ClickHouse itself (the code parsed from its <c>Code: N.</c> text), so it is not retried as a
    /// failure below ClickHouse would be.
    /// </summary>
    private static ClickHouseException MidStreamFailure(string serverMessage, string statement)
    {
        var message = serverMessage.Length > MaxErrorChars ? string.Concat(serverMessage.AsSpan(0, MaxErrorChars), "…") : serverMessage;
        return new ClickHouseException($"{message} (the answer had begun with 200 OK; statement: {Abbreviate(statement)})");
    }

    /// <summary>The last bytes read so far, at most <see cref="MidStreamException.MaxBlockBytes"/> of them.</summary>
    private delegate ReadOnlySpan<byte> TailOf();

    /// <summary><c>X-ClickHouse-Summary</c> is JSON with numbers as strings: <c>{"written_rows":"1000",…}</c>.</summary>
    private static long WrittenRows(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues(SummaryHeader, out var values) || values.FirstOrDefault() is not { } json)
        {
            return 0;
        }

        using var summary = JsonDocument.Parse(json);
        return summary.RootElement.TryGetProperty("written_rows", out var rows) && rows.ValueKind == JsonValueKind.String
            && long.TryParse(rows.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var written) ? written : 0;
    }

    private static string Abbreviate(string sql) => sql.Length <= 300 ? sql : string.Concat(sql.AsSpan(0, 300), "…");

    [LoggerMessage(EventId = StorageEventIds.HttpReadRetried, Level = LogLevel.Warning,
        Message = "ClickHouse at {Server} failed a query below ClickHouse (attempt {Attempt} of {Attempts}); retrying in {Delay}")]
    private static partial void LogReadRetried(ILogger logger, Exception exception, string server, int attempt, int attempts, TimeSpan delay);
}
