using K2.Storage.Hosting;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;

namespace K2.Silo.Hosting;

/// <summary>
/// K2's configuration layers, lowest first: where <c>./data</c> puts each store, <c>appsettings.json</c> next to the
/// binary, environment variables (<c>K2__Storage__Writers__MaxBatchRows</c>), then what the command line said
/// (<c>--data</c>, <c>--simulate</c>'s exchange endpoints, <c>--now</c>). Every command builds its host through here, so
/// a key set in the environment is never overridden by a default of an option the command line did not give.
/// </summary>
internal static class SiloConfiguration
{
    public const string DefaultsLabel = "default";
    public const string CommandLineLabel = "command line";
    public const string EnvironmentLabel = "environment";

    /// <summary>Adds the lowest layer (data-directory defaults) and the highest (<paramref name="commandLine"/>) around the host's own.</summary>
    public static void AddLayers(IConfigurationManager configuration, IReadOnlyDictionary<string, string?> commandLine)
    {
        configuration.Sources.Insert(0, new LayerSource(DefaultsLabel, DataDirectoryLayout.Settings(Path.GetFullPath(DataDirectoryLayout.DefaultDirectory))));
        configuration.Sources.Add(new LayerSource(CommandLineLabel, commandLine));
    }

    /// <summary>Every configured key under <c>K2</c>, in key order, with its value and the layer that set it.</summary>
    public static IReadOnlyList<ConfiguredSetting> Describe(IConfigurationRoot configuration)
    {
        var settings = new List<ConfiguredSetting>();
        foreach (var (key, value) in configuration.GetSection("K2").AsEnumerable().Where(e => e.Value is not null).OrderBy(e => e.Key, StringComparer.OrdinalIgnoreCase))
        {
            // The last provider that has the key is the one whose value the configuration returns.
            var source = configuration.Providers.Last(p => p.TryGet(key, out _));
            settings.Add(new ConfiguredSetting(key, IsSecret(key) ? SecretShown : value!, Label(source)));
        }

        return settings;
    }

    /// <summary>An admin API key (<c>K2:Api:Admin:Keys:N:Key</c>) is shown as set, never as its text.</summary>
    private static bool IsSecret(string key) =>
        key.StartsWith(K2.Api.Admin.AdminOptions.Section + ":Keys:", StringComparison.OrdinalIgnoreCase)
        && key.EndsWith(":Key", StringComparison.OrdinalIgnoreCase);

    public const string SecretShown = "(secret, not shown)";

    private static string Label(IConfigurationProvider provider) => provider switch
    {
        LayerProvider layer => layer.Label,
        JsonConfigurationProvider json => json.Source.Path ?? "json",
        EnvironmentVariablesConfigurationProvider => EnvironmentLabel,
        _ => provider.ToString() ?? provider.GetType().Name,
    };

    private sealed class LayerSource(string label, IReadOnlyDictionary<string, string?> values) : IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => new LayerProvider(label, values);
    }

    private sealed class LayerProvider(string label, IReadOnlyDictionary<string, string?> values) : ConfigurationProvider
    {
        public string Label => label;

        public override void Load() => Data = new Dictionary<string, string?>(values, StringComparer.OrdinalIgnoreCase);
    }
}

/// <summary>One configured key, its value and the layer it came from (<c>default</c>, <c>appsettings.json</c>, <c>environment</c>, <c>command line</c>).</summary>
internal sealed record ConfiguredSetting(string Key, string Value, string Source);
