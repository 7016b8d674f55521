namespace K2.Api.Parameters;

public static class QueryRulesEndpointExtensions
{
    internal const string ProblemTitle = "The request's query parameters are not valid.";

    /// <summary>
    /// Checks the query string against <typeparamref name="TQuery"/>'s rules before the handler runs, answering 400
    /// problem+json naming every bad parameter. The rules ride along as endpoint metadata for
    /// <see cref="Errors.BadRequestProblemHandler"/>, which answers the same way when the framework could not even
    /// bind a value (<c>limit=abc</c>).
    /// </summary>
    public static RouteHandlerBuilder WithQueryRules<TQuery>(this RouteHandlerBuilder builder)
    {
        var rules = QueryRules.For(typeof(TQuery));
        return builder
            .WithMetadata(rules)
            .AddEndpointFilter(async (context, next) =>
            {
                var errors = rules.Validate(context.HttpContext.Request.Query);
                return errors.Count == 0 ? await next(context) : TypedResults.ValidationProblem(errors, title: ProblemTitle);
            })
            .ProducesValidationProblem();
    }
}
