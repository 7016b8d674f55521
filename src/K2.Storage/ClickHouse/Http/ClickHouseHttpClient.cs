using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text.Json;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using ClickHouse.Driver.ADO.Parameters;
using Microsoft.Extensions.Logging;
using DriverClient = ClickHouse.Driver.ClickHouseClient;

namespace K2.Storage.ClickHouse.Http;

/// <summary>
/// A ClickHouse server behind <see cref="IClickHouseClient"/>, over its HTTP interface
/// (https://clickhouse.com/docs/interfaces/http), through the official .NET driver (ClickHouse.Driver). Statements and
/// queries go through the driver's commands (values as <c>param_name=</c> URL parameters, the requested format as
/// <c>default_format</c>) and their answers are read from its raw results; inserts are K2's RowBinary posted as they are
/// (<c>PostStreamAsync</c>, <c>INSERT … FORMAT X</c> in the <c>query</c> parameter, the body gzipped when
/// <see cref="ClickHouseHttpOptions.Compression"/>). The driver sends the credentials (HTTP basic authentication) and
/// turns a refusal into its exception, which becomes a <see cref="ClickHouseException"/> with the server's code and
/// message. What the driver has no place for, K2 adds: the deadline, retries of queries (only after a failure below
/// ClickHouse: an insert or DDL may already have taken effect when its connection dropped), and the error a server writes
/// into an answer it had already begun with 200 OK (<see cref="MidStreamException"/>), which needs the answer's tag
/// header (<see cref="AnswerHeadersHandler"/>): such an answer is never handed over as data.
/// </summary>
/// <remarks>
/// No <c>database</c> parameter is sent: K2 names its database in every statement, and a server refuses every request
/// whose <c>database</c> does not exist yet (UNKNOWN_DATABASE), which would include the migration that creates it.
/// </remarks>
public sealed partial class ClickHouseHttpClient : IClickHouseClient, IDisposable
{
    private const string SummaryHeader = "X-ClickHouse-Summary";
    private const int MaxErrorChars = 16 * 1024;

    /// <summary>How much of a streamed answer is read before it is passed on (plus the tail held back).</summary>
    private const int StreamReadBytes = 1024 * 1024;

    /// <summary>Settings of a streamed query: a read-only query the server cancels when the connection closes.</summary>
    private static readonly KeyValuePair<string, object>[] StreamSettings =
        [new("readonly", "2"), new("cancel_http_readonly_queries_on_client_close", "1")];

    private readonly ClickHouseHttpOptions _options;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly DriverClient _driver;
    private readonly string _server;

    public ClickHouseHttpClient(ClickHouseHttpOptions options, ILogger<ClickHouseHttpClient> logger)
    {
        _options = options;
        _logger = logger;
        _server = options.Url.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);
        var sockets = new SocketsHttpHandler
        {
            // The driver asks for no compression of the raw answers K2 reads; gzip is asked for (and undone) here.
            AutomaticDecompression = options.Compression ? DecompressionMethods.GZip : DecompressionMethods.None,
            ConnectTimeout = options.Timeout,
            // Below ClickHouse's keep_alive_timeout (3 s on older servers), so a pooled connection is never reused just
            // as the server closes it.
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(2),
        };
        // The per-request deadline is ours (Timeout covers the whole answer, not just the headers).
        _http = new HttpClient(new AnswerHeadersHandler(sockets)) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        _driver = new DriverClient(new ClickHouseClientSettings
        {
            Protocol = options.Url.Scheme,
            Host = options.Url.Host,
            Port = (ushort)options.Url.Port,
            Path = options.Url.AbsolutePath,
            Username = options.User,
            Password = options.Password,
            // No database (see the remarks above).
            Database = "",
            UseCompression = options.Compression,
            HttpClient = _http,
            // K2 reads no JSON columns; without these the driver sends no JSON format settings.
            JsonReadMode = JsonReadMode.None,
            JsonWriteMode = JsonWriteMode.None,
            ParameterFormatter = new EscapedTextParameterFormatter(),
        });
    }

    public Task ExecuteAsync(string sql, ClickHouseParameters? parameters, CancellationToken cancellationToken) =>
        AttemptAsync(sql, parameters, settings: [], async (body, tag, token) =>
        {
            await ReadToEndAsync(body, tag, sql, token);
            return true;
        }, cancellationToken);

    public async Task<T> QueryAsync<T>(
        string sql, ClickHouseParameters? parameters, string format, ClickHouseResultReader<T> read, CancellationToken cancellationToken)
    {
        return await RetryReadAsync(
            () => AttemptAsync(sql, parameters, [new("default_format", format)], async (body, tag, token) =>
            {
                using var result = await ReadAnswerAsync(body, tag, sql, token);
                return read(result.Span);
            }, cancellationToken),
            mayRetry: static () => true,
            cancellationToken);
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
        var began = false;
        await RetryReadAsync(
            async () =>
            {
                await StreamAnswerAsync(sql, parameters, format, (chunk, token) =>
                {
                    began = true;
                    return write(chunk, token);
                }, cancellationToken);
                return true;
            },
            mayRetry: () => !began,
            cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="read"/>, and again after a failure below ClickHouse (the connection, not the server's
    /// refusal) while <paramref name="mayRetry"/> allows, at most <see cref="ClickHouseHttpOptions.ReadRetries"/> more
    /// times, the delay doubling from <see cref="ClickHouseHttpOptions.ReadRetryDelay"/>.
    /// </summary>
    private async Task<T> RetryReadAsync<T>(Func<Task<T>> read, Func<bool> mayRetry, CancellationToken cancellationToken)
    {
        var delay = _options.ReadRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await read();
            }
            catch (ClickHouseException e) when (mayRetry() && attempt <= _options.ReadRetries && FailedBelowClickHouse(e))
            {
                LogReadRetried(_logger, e, _server, attempt, _options.ReadRetries + 1, delay);
                await Task.Delay(delay, cancellationToken);
                delay *= 2;
            }
        }
    }

    /// <summary>
    /// Posts the rows as they are through the driver's <c>PostStreamAsync</c>, the deduplication token as the
    /// <c>insert_deduplication_token</c> setting; returns the rows written from <c>X-ClickHouse-Summary</c> (0 if absent).
    /// </summary>
    public async Task<long> InsertAsync(string insertStatement, string format, ReadOnlyMemory<byte> data, string? deduplicationToken, CancellationToken cancellationToken)
    {
        InsertDeduplicationToken.ThrowIfInvalid(deduplicationToken);
        var options = deduplicationToken is null ? null : new QueryOptions
        {
            CustomSettings = new Dictionary<string, object> { ["insert_deduplication_token"] = deduplicationToken },
        };

        return await WithinDeadlineAsync(insertStatement, AnswerHeadersHandler.Watch(), async token =>
        {
            using var response = await _driver.PostStreamAsync(
                $"{insertStatement} FORMAT {format}",
                async (stream, writeToken) =>
                {
                    if (!_options.Compression)
                    {
                        await stream.WriteAsync(data, writeToken);
                        return;
                    }

                    // Fastest: on two cores the CPU is scarcer than the bandwidth, and it still shrinks RowBinary trades several-fold.
                    await using var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true);
                    await gzip.WriteAsync(data, writeToken);
                },
                _options.Compression, token, options);
            return WrittenRows(response);
        }, cancellationToken);
    }

    public void Dispose()
    {
        _driver.Dispose();
        _http.Dispose();
    }

    /// <summary>
    /// One attempt: runs the statement through a driver command and hands the answer's body and exception tag to
    /// <paramref name="readAnswer"/>, all within <see cref="ClickHouseHttpOptions.Timeout"/>.
    /// </summary>
    private Task<T> AttemptAsync<T>(
        string sql, ClickHouseParameters? parameters, KeyValuePair<string, object>[] settings,
        Func<Stream, string?, CancellationToken, Task<T>> readAnswer, CancellationToken cancellationToken)
    {
        var headers = AnswerHeadersHandler.Watch();
        return WithinDeadlineAsync(sql, headers, async token =>
        {
            using var connection = _driver.CreateConnection();
            using var command = Command(connection, sql, parameters, settings);
            using var result = await command.ExecuteRawResultAsync(token);
            await using var body = await result.ReadAsStreamAsync();
            return await readAnswer(body, headers.ExceptionTag, token);
        }, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="call"/> with a deadline; every failure leaves as a <see cref="ClickHouseException"/>, one
    /// that happened below ClickHouse carrying the <see cref="HttpRequestException"/> or <see cref="IOException"/>.
    /// </summary>
    private async Task<T> WithinDeadlineAsync<T>(string statement, AnswerHeaders headers, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.Timeout);
        try
        {
            return await call(deadline.Token);
        }
        catch (ClickHouseServerException e)
        {
            throw Refusal(e, headers, statement);
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

    private static ClickHouseCommand Command(
        ClickHouseConnection connection, string sql, ClickHouseParameters? parameters, IEnumerable<KeyValuePair<string, object>> settings)
    {
        var command = connection.CreateCommand(sql);
        foreach (var (name, text) in parameters?.Values ?? [])
        {
            command.Parameters.Add(new ClickHouseDbParameter { ParameterName = name, Value = text });
        }

        foreach (var (name, value) in settings)
        {
            command.CustomSettings[name] = value;
        }

        return command;
    }

    /// <summary>
    /// One attempt of <see cref="QueryStreamAsync"/>: everything but the last <see cref="MidStreamException.MaxBlockBytes"/>
    /// goes out whenever the buffer is full; the deadline bounds each wait on the server, not the writer.
    /// </summary>
    private async Task StreamAnswerAsync(
        string sql, ClickHouseParameters? parameters, string format, ClickHouseChunkWriter write, CancellationToken cancellationToken)
    {
        const int Capacity = StreamReadBytes + MidStreamException.MaxBlockBytes;
        var buffer = ArrayPool<byte>.Shared.Rent(Capacity);
        var headers = AnswerHeadersHandler.Watch();
        try
        {
            using var connection = _driver.CreateConnection();
            using var command = Command(connection, sql, parameters, [new("default_format", format), .. StreamSettings]);
            using var beginning = Deadline();
            using var result = await FromServerAsync(() => command.ExecuteRawResultAsync(beginning.Token));
            await using var body = await FromServerAsync(result.ReadAsStreamAsync);
            var held = 0;
            while (true)
            {
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
                    && MidStreamException.Find(buffer.AsSpan(0, held), headers.ExceptionTag, framingBroke: true) is { } broken)
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

            if (MidStreamException.Find(buffer.AsSpan(0, held), headers.ExceptionTag, framingBroke: false) is { } written)
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

        CancellationTokenSource Deadline()
        {
            var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_options.Timeout);
            return deadline;
        }

        async Task<T> FromServerAsync<T>(Func<Task<T>> call)
        {
            try
            {
                return await call();
            }
            catch (ClickHouseServerException e)
            {
                throw Refusal(e, headers, sql);
            }
            catch (Exception e) when (IsTransportFailure(e, cancellationToken))
            {
                throw TransportFailure(e, sql);
            }
        }
    }

    private static bool IsTransportFailure(Exception e, CancellationToken callerToken) =>
        e is HttpRequestException or IOException || (e is OperationCanceledException && !callerToken.IsCancellationRequested);

    private ClickHouseException TransportFailure(Exception e, string statement) =>
        e is OperationCanceledException
            ? new ClickHouseException(
                $"ClickHouse at {_server} sent nothing for {_options.Timeout} (K2:Storage:Http:Timeout; statement: {Abbreviate(statement)})",
                inner: new TimeoutException($"No answer, or no more of it, within {_options.Timeout}.", e))
            : new ClickHouseException($"ClickHouse at {_server} could not be reached: {e.Message} (statement: {Abbreviate(statement)})", inner: e);

    /// <summary>
    /// The driver's refusal with the server's code and text. A 5xx that ClickHouse did not explain (no
    /// <c>X-ClickHouse-Exception-Code</c>) came from in front of it, so it counts as a failure below ClickHouse.
    /// </summary>
    private static ClickHouseException Refusal(ClickHouseServerException e, AnswerHeaders headers, string statement)
    {
        var text = e.Message.Trim();
        var message = $"{(text.Length > MaxErrorChars ? string.Concat(text.AsSpan(0, MaxErrorChars), "…") : text)} (statement: {Abbreviate(statement)})";
        if (!headers.HasExceptionCode && headers.Status is { } status && (int)status >= 500)
        {
            return new ClickHouseException(message, inner: new HttpRequestException($"HTTP {(int)status} without a ClickHouse error code", e, status));
        }

        return new ClickHouseException(message, e.ErrorCode > 0 ? e.ErrorCode : null);
    }

    private static bool FailedBelowClickHouse(ClickHouseException e) => e.InnerException is HttpRequestException or IOException;

    /// <summary>Reads a whole answer into one pooled buffer, or throws the error the server wrote at its end.</summary>
    private static async Task<PooledResponseBuffer> ReadAnswerAsync(Stream body, string? tag, string statement, CancellationToken cancellationToken)
    {
        var buffer = PooledResponseBuffer.Create(expectedLength: null);
        try
        {
            await ReadCheckingForMidStreamExceptionAsync(
                tag, statement, () => buffer.AppendToEndAsync(body, cancellationToken),
                () => buffer.Span[^Math.Min(buffer.Span.Length, MidStreamException.MaxBlockBytes)..]);
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <summary>Waits for the statement to finish, keeping only the end of any answer, where a mid-stream error would be.</summary>
    private static async Task ReadToEndAsync(Stream body, string? tag, string statement, CancellationToken cancellationToken)
    {
        var window = ArrayPool<byte>.Shared.Rent(2 * MidStreamException.MaxBlockBytes);
        var length = 0;
        try
        {
            await ReadCheckingForMidStreamExceptionAsync(
                tag, statement,
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
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(window);
        }
    }

    private static async Task ReadCheckingForMidStreamExceptionAsync(string? tag, string statement, Func<Task> readBody, TailOf tail)
    {
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

    private static ClickHouseException MidStreamFailure(string serverMessage, string statement)
    {
        var message = serverMessage.Length > MaxErrorChars ? string.Concat(serverMessage.AsSpan(0, MaxErrorChars), "…") : serverMessage;
        return new ClickHouseException($"{message} (the answer had begun with 200 OK; statement: {Abbreviate(statement)})");
    }

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
