using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;

namespace K2.Storage.ClickHouse.Http;

/// <summary>
/// A request body gzipped while it is sent (<c>Content-Encoding: gzip</c>), so a batch is never held twice in memory.
/// Its length is unknown up front, so it goes out chunked.
/// </summary>
internal sealed class GzipContent : HttpContent
{
    private readonly ReadOnlyMemory<byte> _data;

    public GzipContent(ReadOnlyMemory<byte> data)
    {
        _data = data;
        Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        Headers.ContentEncoding.Add("gzip");
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        // Fastest: on two cores the CPU is scarcer than the bandwidth, and it still shrinks RowBinary trades several-fold.
        await using var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true);
        await gzip.WriteAsync(_data, cancellationToken);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
