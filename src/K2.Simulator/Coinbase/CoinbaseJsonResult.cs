using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace K2.Simulator.Coinbase;

/// <summary>A response body written by <see cref="CoinbaseWireWriter"/>, so REST bytes follow Coinbase's field order.</summary>
internal sealed class CoinbaseJsonResult : IResult
{
    private const string ContentType = "application/json; charset=utf-8";

    private readonly int _statusCode;
    private readonly ReadOnlyMemory<byte> _body;
    private readonly TimeSpan? _retryAfter;

    private CoinbaseJsonResult(int statusCode, ReadOnlyMemory<byte> body, TimeSpan? retryAfter)
    {
        _statusCode = statusCode;
        _body = body;
        _retryAfter = retryAfter;
    }

    public static CoinbaseJsonResult Create(int statusCode, Action<Utf8JsonWriter> write, TimeSpan? retryAfter = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, CoinbaseWireWriter.WriterOptions))
        {
            write(writer);
        }

        return new CoinbaseJsonResult(statusCode, buffer.WrittenMemory, retryAfter);
    }

    public static CoinbaseJsonResult Error(int statusCode, string error, string message, TimeSpan? retryAfter = null) =>
        Create(statusCode, w => CoinbaseWireWriter.WriteRestError(w, error, message), retryAfter);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = _statusCode;
        httpContext.Response.ContentType = ContentType;
        httpContext.Response.ContentLength = _body.Length;
        if (_retryAfter is { } retryAfter)
        {
            // Retry-After is whole seconds (RFC 9110 10.2.3); round up so a client never retries early.
            var seconds = (long)Math.Ceiling(retryAfter.TotalSeconds);
            httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        await httpContext.Response.Body.WriteAsync(_body, httpContext.RequestAborted);
    }
}
