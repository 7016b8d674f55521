using System.CommandLine;
using K2.Silo.Hosting;
using K2.Storage.Hosting;
using Microsoft.Extensions.Options;

namespace K2.Silo.Commands;

/// <summary>
/// <c>k2 config [--data DIR]</c>: prints every configured <c>K2</c> key with its value and the layer it came from
/// (default, appsettings.json, environment, command line), then checks the whole configuration as <c>k2 run</c> would,
/// without opening anything. Secrets are masked. Exit code 0 when valid, 2 with each problem on stderr.
/// </summary>
internal static class ConfigCommand
{
    public const string Masked = "(hidden)";

    /// <summary>Key names whose values are credentials: never printed.</summary>
    private static readonly string[] SecretKeyParts = ["Password", "SecretKey", "AccessKey", "ConnectionString"];

    public static Command Create()
    {
        var data = CommonOptions.Data();
        var instruments = CommonOptions.Instruments();
        var command = new Command("config", "Show the effective K2 settings with where each came from, and check them as `k2 run` would.")
        {
            data, instruments,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            if (await CommonOptions.LoadInstrumentsAsync(result, instruments) is not { } registry)
            {
                return ExitCodes.BadConfiguration;
            }

            var settings = new SiloSettings(result.GetValue(data)?.FullName, RunCommand.DefaultUrls, Simulate: false, InstrumentsPath: null);
            IReadOnlyList<string> problems;
            try
            {
                await using var app = SiloHost.Build(settings, registry, simulator: null);
                foreach (var setting in SiloConfiguration.Describe((IConfigurationRoot)app.Configuration))
                {
                    await output.WriteLineAsync($"{setting.Key} = {Show(setting)}  ({setting.Source})");
                }

                problems = ConfigurationProblems.Find(app.Services);
            }
            catch (OptionsValidationException e) // the transport's name is checked while registering
            {
                problems = [.. e.Failures];
            }

            foreach (var problem in problems)
            {
                await error.WriteLineAsync($"k2 config: invalid configuration: {problem}");
            }

            return problems.Count > 0 ? ExitCodes.BadConfiguration : ExitCodes.Success;
        });
        return command;
    }

    private static string Show(ConfiguredSetting setting) =>
        SecretKeyParts.Any(part => setting.Key.EndsWith(part, StringComparison.OrdinalIgnoreCase)) && setting.Value.Length > 0 ? Masked : setting.Value;
}
