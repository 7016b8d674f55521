using System.Buffers;
using System.Text.Json;

namespace K2.Simulator.Binance;

/// <summary>A response body written by <see cref="BinanceWireWriter"/>, so REST bytes match Binance's exactly.</summary>
internal sealed class BinanceJsonResult : IResult
{
    /// <summary>The content type Binance's REST API sends.</summary>
    private const string ContentType = "application/json;charset=UTF-8";

    private readonly int _statusCode;
    private readonly ReadOnlyMemory<byte> _body;

    private BinanceJsonResult(int statusCode, ReadOnlyMemory<byte> body)
    {
        _statusCode = statusCode;
        _body = body;
    }

    public static BinanceJsonResult Create(int statusCode, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, BinanceWireWriter.WriterOptions))
        {
            write(writer);
        }

        return new BinanceJsonResult(statusCode, buffer.WrittenMemory);
    }

    /// <summary>A Binance REST error: HTTP 400 with <c>{"code":…,"msg":…}</c>.</summary>
    public static BinanceJsonResult BadRequest(int code, string message) =>
        Create(StatusCodes.Status400BadRequest, w => BinanceWireWriter.WriteRestError(w, code, message));

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = _statusCode;
        httpContext.Response.ContentType = ContentType;
        httpContext.Response.ContentLength = _body.Length;
        await httpContext.Response.Body.WriteAsync(_body, httpContext.RequestAborted);
    }
}
