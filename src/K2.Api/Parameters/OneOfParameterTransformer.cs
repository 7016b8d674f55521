using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace K2.Api.Parameters;

/// <summary>
/// Lists a <see cref="OneOfAttribute"/> parameter's names as its schema's <c>enum</c>: the generator documents
/// DataAnnotations such as ranges and patterns, but not a set of allowed values.
/// </summary>
internal sealed class OneOfParameterTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var description in context.Description.ParameterDescriptions)
        {
            var names = (description.ParameterDescriptor as IParameterInfoParameterDescriptor)?.ParameterInfo.GetCustomAttribute<OneOfAttribute>()?.Names;
            var parameter = operation.Parameters?.FirstOrDefault(p => p.Name == description.Name);
            if (names is null || parameter?.Schema is not OpenApiSchema schema)
            {
                continue;
            }

            schema.Enum = [.. names.Select(n => (JsonNode)JsonValue.Create(n))];
        }

        return Task.CompletedTask;
    }
}
