using System.Buffers;
using System.Text.Json;

namespace K2.Simulator.Kraken;

/// <summary>A REST body written by <see cref="KrakenWireWriter"/>. Kraken answers errors with HTTP 200 too.</summary>
internal sealed class KrakenJsonResult : IResult
{
    private const string ContentType = "application/json; charset=utf-8";

    private readonly ReadOnlyMemory<byte> _body;

    private KrakenJsonResult(ReadOnlyMemory<byte> body)
    {
        _body = body;
    }

    public static KrakenJsonResult Create(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, KrakenWireWriter.WriterOptions))
        {
            write(writer);
        }

        return new KrakenJsonResult(buffer.WrittenMemory);
    }

    public static KrakenJsonResult Error(string error) => Create(w => KrakenWireWriter.WriteRestError(w, error));

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = ContentType;
        httpContext.Response.ContentLength = _body.Length;
        await httpContext.Response.Body.WriteAsync(_body, httpContext.RequestAborted);
    }
}
