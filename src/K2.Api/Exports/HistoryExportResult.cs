using K2.Storage.ClickHouse;
using K2.Storage.History;
using Microsoft.AspNetCore.Http.Features;

namespace K2.Api.Exports;

/// <summary>
/// A streamed export as the answer: headers first, then the rows as ClickHouse produces them, straight to the socket.
/// A failure before the first byte is thrown, so the error handlers answer it (503 for an outage); a failure after it
/// aborts the connection, since a truncated body must not look complete. A client that goes away cancels the request,
/// which stops the query.
/// </summary>
internal sealed partial class HistoryExportResult(
    ResponseFormat format, string fileName, Func<HistoryExportFormat, ClickHouseChunkWriter, CancellationToken, Task> export) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.ContentType = format.MediaType() + (format == ResponseFormat.Csv ? "; charset=utf-8; header=present" : "");
        response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}.{format.Extension()}\"";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var written = false;
        try
        {
            await export(format.ToExportFormat(), async (chunk, cancellationToken) =>
            {
                written = true;
                await response.Body.WriteAsync(chunk, cancellationToken);
            }, httpContext.RequestAborted);
        }
        catch (Exception e) when (written && !httpContext.RequestAborted.IsCancellationRequested)
        {
            LogExportAborted(httpContext.RequestServices.GetRequiredService<ILogger<HistoryExportResult>>(), httpContext.Request.Path, e);
            httpContext.Abort();
        }
    }

    [LoggerMessage(EventId = ApiEventIds.ExportAborted, Level = LogLevel.Warning, Message = "{Path}: the export failed after it began; the connection was cut so the client sees it incomplete")]
    private static partial void LogExportAborted(ILogger logger, PathString path, Exception exception);
}
