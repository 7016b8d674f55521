using K2.Api.Admin;
using K2.Api.Hosting;
using K2.Testing.Grains;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace K2.Api.Tests.Admin;

/// <summary>
/// The API's services and error handling in an in-memory server, with one admin endpoint (<c>POST /v1/admin/probe</c>,
/// answering with the key's name) and one open one (<c>GET /v1/open</c>), and every log entry captured. No store: the
/// admin keys and rate limits need none.
/// </summary>
internal sealed class AdminKeyHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AdminKeyHost(WebApplication app, CapturingLoggerProvider logs)
    {
        _app = app;
        Logs = logs;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    public CapturingLoggerProvider Logs { get; }

    public static async Task<AdminKeyHost> StartAsync(IReadOnlyDictionary<string, string?> settings, CancellationToken cancellationToken)
    {
        var logs = new CapturingLoggerProvider();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Trace);
        builder.Services.AddK2Api();
        var app = builder.Build();
        app.UseK2ApiErrors();
        app.MapGroup("/v1/admin").RequireAdminKey().MapPost("/probe", (HttpContext context) => TypedResults.Ok(new Probe(context.AdminKeyName())));
        app.MapGet("/v1/open", () => TypedResults.Ok());
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new AdminKeyHost(app, logs);
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Add(AdminKeys.HeaderName, key);
        }

        return await Client.SendAsync(request, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public sealed record Probe(string? KeyName);
}
