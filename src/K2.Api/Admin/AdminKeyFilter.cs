namespace K2.Api.Admin;

/// <summary>
/// Lets a request through to an admin action only with a known key in <c>X-Api-Key</c>: 404 problem+json while no key
/// is configured (admin is off; no key could make the request succeed), 401 with a <c>WWW-Authenticate</c> hint when
/// the header is missing, 403 when the key is not one of them. Logs refusals and the key's name, never its text.
/// </summary>
internal sealed partial class AdminKeyFilter(AdminKeys keys, ILogger<AdminKeyFilter> logger) : IEndpointFilter
{
    /// <summary>Where the admin handlers find the name of the key that was let through.</summary>
    public const string KeyNameItem = "k2.admin.key_name";

    /// <summary>Not a registered scheme: a hint saying which header carries the key.</summary>
    public const string Challenge = $"ApiKey realm=\"k2-admin\", header=\"{AdminKeys.HeaderName}\"";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!keys.Enabled)
        {
            return TypedResults.Problem(
                title: "Admin actions are off.",
                detail: $"No API key is configured ({AdminOptions.Section}:Keys or {AdminOptions.Section}:KeysFile), so no admin action is served.",
                statusCode: StatusCodes.Status404NotFound);
        }

        var presented = http.Request.Headers[AdminKeys.HeaderName];
        if (presented.Count == 0 || string.IsNullOrEmpty(presented[0]))
        {
            LogRefused(logger, http.Request.Path, "no key given", http.Connection.RemoteIpAddress?.ToString());
            http.Response.Headers.WWWAuthenticate = Challenge;
            return TypedResults.Problem(
                title: "An API key is required.",
                detail: $"Send an admin API key in the {AdminKeys.HeaderName} header.",
                statusCode: StatusCodes.Status401Unauthorized);
        }

        if ((presented.Count == 1 ? keys.Identify(presented[0]) : null) is not { } name)
        {
            LogRefused(logger, http.Request.Path, "unknown key", http.Connection.RemoteIpAddress?.ToString());
            return TypedResults.Problem(
                title: "The API key is not valid.",
                detail: $"The key in {AdminKeys.HeaderName} is not one of the configured admin keys.",
                statusCode: StatusCodes.Status403Forbidden);
        }

        http.Items[KeyNameItem] = name;
        LogAccepted(logger, http.Request.Path, name);
        return await next(context);
    }

    [LoggerMessage(EventId = ApiEventIds.AdminRefused, Level = LogLevel.Warning, Message = "Admin request to {Path} refused: {Reason} (client {Client})")]
    private static partial void LogRefused(ILogger logger, PathString path, string reason, string? client);

    [LoggerMessage(EventId = ApiEventIds.AdminAccepted, Level = LogLevel.Information, Message = "Admin request to {Path} with key {KeyName}")]
    private static partial void LogAccepted(ILogger logger, PathString path, string keyName);
}
