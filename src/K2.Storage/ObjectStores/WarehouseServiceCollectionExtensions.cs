using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace K2.Storage.ObjectStores;

public static class WarehouseServiceCollectionExtensions
{
    /// <summary>
    /// The warehouse's <see cref="IObjectStore"/> as <c>K2:Warehouse</c> configures it: a
    /// <see cref="LocalDirectoryObjectStore"/> or an <see cref="S3ObjectStore"/>, validated at start.
    /// </summary>
    public static IServiceCollection AddWarehouseObjectStore(this IServiceCollection services)
    {
        services.AddOptions<WarehouseOptions>().BindConfiguration(WarehouseOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WarehouseOptions>, WarehouseOptionsValidator>();
        services.AddSingleton<IObjectStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<WarehouseOptions>>().Value;
            return options.Kind switch
            {
                WarehouseKind.Local => new LocalDirectoryObjectStore(options.Path),
                WarehouseKind.S3 => new S3ObjectStore(options.S3, options.S3.CreateOnlyPuts),
                _ => throw new InvalidOperationException($"Unknown {WarehouseOptions.Section}:Kind {options.Kind}."),
            };
        });
        return services;
    }
}
