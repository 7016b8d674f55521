using System.Collections.Concurrent;
using System.Net;
using System.Text;
using K2.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace K2.Grains.Tests.Exchanges.Rest;

/// <summary>One request as the server received it, with the test clock's time at arrival.</summary>
internal sealed record ReceivedRequest(string PathAndQuery, IReadOnlyDictionary<string, string> Headers, DateTimeOffset At);

/// <summary>
/// A tiny Kestrel server on a free loopback port that answers each request with the next scripted answer (a status
/// with headers, or a cut connection), and with 200 and the request's path and query once the script is used up.
/// Records every request it received.
/// </summary>
internal sealed class ScriptedRestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TimeProvider _time;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _script = new();
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();

    private ScriptedRestServer(WebApplication app, TimeProvider time, Uri baseAddress)
    {
        _app = app;
        _time = time;
        BaseAddress = baseAddress;
    }

    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseAddress { get; }

    public IReadOnlyList<ReceivedRequest> Received => [.. _received];

    public static async Task<ScriptedRestServer> StartAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port);
        });
        var app = builder.Build();
        var server = new ScriptedRestServer(app, time, new Uri($"http://127.0.0.1:{port}/"));
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken);
        return server;
    }

    /// <summary>The next unscripted request is answered with <paramref name="status"/>, these headers and body.</summary>
    public void Respond(int status, string body = "", params (string Name, string Value)[] headers) => _script.Enqueue(async context =>
    {
        context.Response.StatusCode = status;
        foreach (var (name, value) in headers)
        {
            context.Response.Headers[name] = value;
        }

        await context.Response.WriteAsync(body, context.RequestAborted);
    });

    /// <summary>The next unscripted request has its connection cut without an answer (a network failure).</summary>
    public void Cut() => _script.Enqueue(context =>
    {
        context.Abort();
        return Task.CompletedTask;
    });

    /// <summary>The next unscripted request is held until <paramref name="released"/> completes (or the client leaves).</summary>
    public void Hold(Task released) => _script.Enqueue(async context =>
    {
        await released.WaitAsync(context.RequestAborted);
        await context.Response.WriteAsync(context.Request.Path + context.Request.QueryString, context.RequestAborted);
    });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var pathAndQuery = context.Request.PathBase + context.Request.Path + context.Request.QueryString;
        _received.Enqueue(new ReceivedRequest(
            pathAndQuery,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            _time.GetUtcNow()));
        if (_script.TryDequeue(out var answer))
        {
            await answer(context);
            return;
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(pathAndQuery), context.RequestAborted);
    }
}
