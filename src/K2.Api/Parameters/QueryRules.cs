using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.AspNetCore.Mvc;

namespace K2.Api.Parameters;

/// <summary>
/// Every rule of an endpoint's query string, read once from its <c>[AsParameters]</c> record: the parameters it
/// names with <see cref="FromQueryAttribute"/> and their DataAnnotations. The same record drives binding, the OpenAPI
/// document and this validation, so they cannot drift apart. Validation runs over the raw text and reports every
/// problem at once, keyed by the parameter's query name; unknown and repeated parameters are problems too (a typo
/// such as <c>limt</c> must not fall back to a default silently).
/// </summary>
internal sealed class QueryRules
{
    private static readonly ConcurrentDictionary<Type, QueryRules> Cache = new();

    private readonly IReadOnlyList<QueryParameterRule> _parameters;

    private QueryRules(IReadOnlyList<QueryParameterRule> parameters) => _parameters = parameters;

    public static QueryRules For(Type record) => Cache.GetOrAdd(record, static type => new QueryRules([.. type
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Select(p => (Property: p, Query: p.GetCustomAttribute<FromQueryAttribute>()))
        .Where(p => p.Query?.Name is not null)
        .Select(p => new QueryParameterRule(p.Query!.Name!, p.Property.PropertyType, [.. p.Property.GetCustomAttributes<ValidationAttribute>()]))]));

    /// <summary>The problems with <paramref name="query"/>, by parameter name; empty when there are none.</summary>
    public Dictionary<string, string[]> Validate(IQueryCollection query)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var names = _parameters.Select(p => p.Name).ToList();
        foreach (var key in query.Keys.Where(k => !names.Contains(k, StringComparer.Ordinal)))
        {
            errors[key] = [$"Unknown parameter '{key}'. Allowed: {string.Join(", ", names)}."];
        }

        foreach (var parameter in _parameters)
        {
            if (parameter.Check(query[parameter.Name]) is { } problem)
            {
                errors[parameter.Name] = [problem];
            }
        }

        return errors;
    }
}
