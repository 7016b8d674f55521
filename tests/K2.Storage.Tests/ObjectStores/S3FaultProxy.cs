using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Storage.Tests.ObjectStores;

/// <summary>
/// A forwarding proxy in front of s3rver that records what the S3 client sends (method, path, the headers that matter
/// to s3rver) and can answer the next requests with <c>503 SlowDown</c>, as S3 does when throttling, to show that the
/// client retries. With <see cref="HonourIfNoneMatch"/> it adds what s3rver lacks and AWS S3 and MinIO do: a PUT with
/// <c>If-None-Match: *</c> on an existing key gets <c>412 PreconditionFailed</c> and writes nothing.
/// </summary>
internal sealed class S3FaultProxy : IAsyncDisposable
{
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase) { "Host", "Transfer-Encoding", "Expect", "Connection" };

    private readonly WebApplication _app;
    private readonly HttpClient _upstream = new();
    private readonly Uri _target;
    private readonly ConcurrentQueue<SentRequest> _requests = new();
    private readonly SemaphoreSlim _writes = new(1);
    private int _throttledLeft;

    private S3FaultProxy(WebApplication app, Uri target)
    {
        _app = app;
        _target = target;
    }

    public Uri Url { get; private set; } = null!;

    public IReadOnlyList<SentRequest> Requests => [.. _requests];

    /// <summary>
    /// Whether a PUT with <c>If-None-Match: *</c> is refused when the key exists. PUTs then go to s3rver one at a time,
    /// so the existence check and the write of a conditional PUT are atomic, as on S3.
    /// </summary>
    public bool HonourIfNoneMatch { get; init; }

    public static async Task<S3FaultProxy> StartAsync(Uri target, CancellationToken cancellationToken) =>
        await StartAsync(target, honourIfNoneMatch: false, cancellationToken);

    public static async Task<S3FaultProxy> StartAsync(Uri target, bool honourIfNoneMatch, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        var proxy = new S3FaultProxy(app, target) { HonourIfNoneMatch = honourIfNoneMatch };
        app.Run(proxy.HandleAsync);
        await app.StartAsync(cancellationToken);
        proxy.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        return proxy;
    }

    /// <summary>The next <paramref name="count"/> requests get <c>503 SlowDown</c> and do not reach s3rver.</summary>
    public void ThrottleNextRequests(int count) => Volatile.Write(ref _throttledLeft, count);

    public async ValueTask DisposeAsync()
    {
        _upstream.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        _writes.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        var throttled = Interlocked.Decrement(ref _throttledLeft) >= 0;
        _requests.Enqueue(new SentRequest(
            request.Method, request.Path + request.QueryString, request.Headers.IfNoneMatch.ToString(),
            request.Headers.ContentEncoding.ToString(), request.Headers["x-amz-content-sha256"].ToString(), throttled));
        if (throttled)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.ContentType = "application/xml";
            await context.Response.WriteAsync(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>",
                context.RequestAborted);
            return;
        }

        if (!HonourIfNoneMatch || !HttpMethods.IsPut(request.Method))
        {
            await ForwardAsync(context, body.ToArray());
            return;
        }

        await _writes.WaitAsync(context.RequestAborted);
        try
        {
            if (request.Headers.IfNoneMatch == "*" && await ExistsAsync(request, context.RequestAborted))
            {
                context.Response.StatusCode = StatusCodes.Status412PreconditionFailed;
                context.Response.ContentType = "application/xml";
                await context.Response.WriteAsync(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>PreconditionFailed</Code>" +
                    "<Message>The object exists and the PUT asked for If-None-Match: *.</Message><Condition>If-None-Match</Condition></Error>",
                    context.RequestAborted);
                return;
            }

            await ForwardAsync(context, body.ToArray());
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>Whether s3rver has the object a PUT names, asked with a HEAD carrying the PUT's credentials.</summary>
    private async Task<bool> ExistsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var head = new HttpRequestMessage(HttpMethod.Head, new Uri(_target, request.Path.ToString()));
        foreach (var (name, values) in request.Headers)
        {
            if (!NotForwarded.Contains(name) && !name.Equals("If-None-Match", StringComparison.OrdinalIgnoreCase))
            {
                head.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values); // content headers are refused here, as they should be
            }
        }

        using var answer = await _upstream.SendAsync(head, cancellationToken);
        return answer.StatusCode switch
        {
            HttpStatusCode.OK => true,
            HttpStatusCode.NotFound => false,
            var status => throw new InvalidOperationException($"s3rver answered {(int)status} to HEAD {request.Path}."),
        };
    }

    private async Task ForwardAsync(HttpContext context, byte[] body)
    {
        var request = context.Request;
        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_target, request.Path + request.QueryString));
        forward.Content = new ByteArrayContent(body);
        foreach (var (name, values) in request.Headers)
        {
            if (NotForwarded.Contains(name))
            {
                continue;
            }

            if (!forward.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                forward.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        using var answer = await _upstream.SendAsync(forward, context.RequestAborted);
        context.Response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
        {
            if (!NotForwarded.Contains(name))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await answer.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    /// <summary>One request as the client sent it.</summary>
    public sealed record SentRequest(string Method, string PathAndQuery, string IfNoneMatch, string ContentEncoding, string ContentSha256, bool Throttled);
}
