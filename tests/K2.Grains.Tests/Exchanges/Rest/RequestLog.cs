using System.Collections.Concurrent;

namespace K2.Grains.Tests.Exchanges.Rest;

/// <summary>One request as it left the client, with the (test) clock's time.</summary>
internal sealed record SentRequest(string PathAndQuery, DateTimeOffset At);

/// <summary>
/// Passes every request on to a real socket handler unchanged and records what was sent and when, by the test's
/// clock; an observer, not a stand-in: the answers come from the loopback server.
/// </summary>
internal sealed class RequestLog(TimeProvider time) : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly ConcurrentQueue<SentRequest> _sent = new();

    public IReadOnlyList<SentRequest> Sent => [.. _sent];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        _sent.Enqueue(new SentRequest(request.RequestUri!.PathAndQuery, time.GetUtcNow()));
        return base.SendAsync(request, cancellationToken);
    }
}
