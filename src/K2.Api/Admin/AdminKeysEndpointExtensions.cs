using Microsoft.Extensions.Options;

namespace K2.Api.Admin;

public static class AdminKeysEndpointExtensions
{
    /// <summary>The admin keys (<c>K2:Api:Admin</c>), checked at start.</summary>
    public static IServiceCollection AddAdminKeys(this IServiceCollection services)
    {
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>();
        services.AddSingleton<AdminKeys>();
        return services;
    }

    /// <summary>
    /// Every endpoint of the group needs an admin key (<see cref="AdminKeyFilter"/>); the OpenAPI document says so and
    /// lists the 401, 403 and 404 answers.
    /// </summary>
    public static RouteGroupBuilder RequireAdminKey(this RouteGroupBuilder group)
    {
        group.AddEndpointFilterFactory((factory, next) =>
        {
            var filter = ActivatorUtilities.CreateInstance<AdminKeyFilter>(factory.ApplicationServices);
            return context => filter.InvokeAsync(context, next);
        });
        group.WithMetadata(new AdminKeyRequired())
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <summary>The name of the admin key the request was let through with; null outside an admin endpoint.</summary>
    public static string? AdminKeyName(this HttpContext context) => context.Items[AdminKeyFilter.KeyNameItem] as string;
}
