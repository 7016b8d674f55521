using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace K2.Storage.Hosting;

/// <summary>
/// Which ClickHouse the hot store uses, from <c>K2:Storage:Transport</c>: <c>embedded</c> (chDB in this process under the
/// data directory; the default, for one process on a laptop) or <c>http</c> (a ClickHouse server, <c>K2:Storage:Http</c>,
/// for cluster mode). The silo, its commands and the standalone API all choose through here.
/// </summary>
public static class HotStoreTransport
{
    public const string ConfigurationKey = "K2:Storage:Transport";
    public const string Embedded = "embedded";
    public const string Http = "http";

    /// <summary>Registers the hot store on the configured transport; an unknown transport is a configuration error.</summary>
    public static IServiceCollection AddConfiguredHotStore(this IServiceCollection services, IConfiguration configuration) =>
        Name(configuration) switch
        {
            Embedded => services.AddEmbeddedHotStore(),
            Http => services.AddServerHotStore(),
            var other => throw new OptionsValidationException(
                ConfigurationKey, typeof(string), [$"{ConfigurationKey} must be '{Embedded}' or '{Http}' (is '{other}')."]),
        };

    /// <summary>The configured transport's name, lower-case; <c>embedded</c> when not set.</summary>
    public static string Name(IConfiguration configuration) =>
        configuration[ConfigurationKey] is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim().ToLowerInvariant() : Embedded;
}
