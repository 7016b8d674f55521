using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace K2.Api.Admin;

/// <summary>
/// The OpenAPI side of the admin keys: the <c>ApiKey</c> security scheme (header <c>X-Api-Key</c>) in the document's
/// components, and a requirement of it on every operation marked with <see cref="AdminKeyRequired"/>. A document
/// without such operations (the standalone API's) lists no scheme.
/// </summary>
internal sealed class AdminKeySecurity : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public const string SchemeName = "ApiKey";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        if (!context.DescriptionGroups.SelectMany(g => g.Items).Any(RequiresKey))
        {
            return Task.CompletedTask;
        }

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = AdminKeys.HeaderName,
            Description = $"An admin API key ({AdminOptions.Section}). Without any configured, admin actions answer 404.",
        };
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (RequiresKey(context.Description))
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] });
        }

        return Task.CompletedTask;
    }

    private static bool RequiresKey(ApiDescription description) => description.ActionDescriptor.EndpointMetadata.OfType<AdminKeyRequired>().Any();
}

/// <summary>Endpoint metadata: the endpoint needs an admin API key.</summary>
public sealed class AdminKeyRequired;
