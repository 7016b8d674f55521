using System.Text.Json;
using System.Text.Json.Serialization;
using K2.Api.Admin;
using K2.Api.Endpoints;
using K2.Api.Errors;
using K2.Api.Parameters;
using K2.Api.RateLimits;
using K2.Storage.History;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

namespace K2.Api.Hosting;

public static class ApiServiceCollectionExtensions
{
    /// <summary>Problem details for every error, snake_case JSON, and the OpenAPI document.</summary>
    public static IServiceCollection AddK2Api(this IServiceCollection services)
    {
        services.AddProblemDetails();
        // A value that cannot be bound throws instead of ending as a bare 400, so BadRequestProblemHandler can name it.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<BadRequestProblemHandler>();
        services.AddExceptionHandler<StoreUnavailableHandler>();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            // Numbers are numbers: the OpenAPI document then describes limit as an integer, not "integer or string".
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        services.AddSingleton(sp => new LatestTradesPages(sp.GetService<ILatestTradesSource>(), sp.GetRequiredService<IOptions<JsonOptions>>()));
        services.AddAdminKeys();
        services.AddApiRateLimiting();
        services.AddOpenApi("v1", o => o
            .AddOperationTransformer<OneOfParameterTransformer>()
            .AddDocumentTransformer<AdminKeySecurity>()
            .AddOperationTransformer<AdminKeySecurity>());
        return services;
    }

    /// <summary>Error handling that answers with problem+json (500s and unmatched routes alike), and the rate limits.</summary>
    public static WebApplication UseK2ApiErrors(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>The public API: <c>/v1/…</c>, <c>/openapi/v1.json</c> and its interactive reference at <c>/docs</c>.</summary>
    public static IEndpointRouteBuilder MapK2Api(this IEndpointRouteBuilder app)
    {
        app.MapInstrumentsEndpoints();
        app.MapTradesEndpoints();
        app.MapCandlesEndpoints();
        app.MapOpenApi();
        // The reference page's scripts come from the package's assembly; its default fonts, telemetry and AI features
        // would reach scalar.com, so they are off: the page works offline.
        app.MapScalarApiReference("/docs", options => options
            .WithTitle("K2 API")
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp());
        return app;
    }
}
