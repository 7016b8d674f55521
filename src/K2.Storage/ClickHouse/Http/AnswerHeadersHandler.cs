using System.Net;

namespace K2.Storage.ClickHouse.Http;

/// <summary>
/// What K2 needs from the headers of an answer the driver hands over without them: its raw results expose only the
/// body, yet the body alone cannot tell an exception ClickHouse wrote into a begun answer (tagged since 25.11) from data,
/// nor a 5xx from a proxy from one ClickHouse explained.
/// </summary>
internal sealed class AnswerHeaders
{
    private const string ExceptionCodeHeader = "X-ClickHouse-Exception-Code";

    public HttpStatusCode? Status { get; private set; }

    /// <summary>The answer's <c>X-ClickHouse-Exception-Tag</c>, or null.</summary>
    public string? ExceptionTag { get; private set; }

    /// <summary>Whether the answer carried <c>X-ClickHouse-Exception-Code</c> (ClickHouse itself refused).</summary>
    public bool HasExceptionCode { get; private set; }

    public void Record(HttpResponseMessage response)
    {
        Status = response.StatusCode;
        ExceptionTag = response.Headers.TryGetValues(MidStreamException.TagHeader, out var tags) ? tags.FirstOrDefault() : null;
        HasExceptionCode = response.Headers.Contains(ExceptionCodeHeader);
    }
}

/// <summary>
/// Sits below the driver in its HTTP pipeline and records each answer's headers in the <see cref="AnswerHeaders"/> the
/// calling operation is watching (it flows with the operation's execution context into the driver's calls).
/// </summary>
internal sealed class AnswerHeadersHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private static readonly AsyncLocal<AnswerHeaders?> Watched = new();

    /// <summary>Starts recording the next answer seen by this execution context (one per attempt).</summary>
    public static AnswerHeaders Watch()
    {
        var headers = new AnswerHeaders();
        Watched.Value = headers;
        return headers;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        Watched.Value?.Record(response);
        return response;
    }
}
