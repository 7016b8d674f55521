using K2.Api.Parameters;
using Microsoft.AspNetCore.Diagnostics;

namespace K2.Api.Errors;

/// <summary>
/// A value the framework could not bind (<c>limit=abc</c>, <c>from=yesterday</c>, <c>limit=1&amp;limit=2</c>) is the
/// client's mistake: it gets the same 400 problem+json, naming every bad parameter, as a value that binds but breaks a
/// rule. Binding failures throw (<see cref="RouteHandlerOptions.ThrowOnBadRequest"/>) so that they reach this handler
/// instead of ending as a 400 without a body.
/// </summary>
internal sealed class BadRequestProblemHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        // The middleware has cleared the request's endpoint by now; the feature keeps the one that failed.
        var endpoint = httpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint;
        var errors = endpoint?.Metadata.GetMetadata<QueryRules>()?.Validate(httpContext.Request.Query);
        IResult result = errors is { Count: > 0 }
            ? TypedResults.ValidationProblem(errors, title: QueryRulesEndpointExtensions.ProblemTitle)
            : TypedResults.Problem(title: "The request is not valid.", detail: badRequest.Message, statusCode: badRequest.StatusCode);
        await result.ExecuteAsync(httpContext);
        return true;
    }
}
