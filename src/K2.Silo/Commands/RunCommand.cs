using System.CommandLine;
using K2.Core.Instruments;
using K2.Silo.Hosting;

namespace K2.Silo.Commands;

/// <summary><c>k2 run</c>: the silo, with the API and dashboard in the same process.</summary>
internal static class RunCommand
{
    public const string DefaultUrls = "http://127.0.0.1:8080";

    public static Command Create()
    {
        var simulate = new Option<bool>("--simulate") { Description = "Run the exchange simulator in-process on loopback and connect to it instead of the real exchanges (offline)." };
        var data = CommonOptions.Data();
        var urls = new Option<string>("--urls") { Description = "Where the API and dashboard listen (';'-separated http URLs).", DefaultValueFactory = _ => DefaultUrls };
        urls.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>() ?? "";
            var bad = value.Split(';', StringSplitOptions.RemoveEmptyEntries)
                .Where(u => !Uri.TryCreate(u, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"));
            if (string.IsNullOrWhiteSpace(value) || bad.Any())
            {
                result.AddError($"--urls: '{value}' is not a list of http(s) URLs, e.g. {DefaultUrls}");
            }
        });
        var instruments = CommonOptions.Instruments();

        var command = new Command("run", "Run K2: exchange sessions, hot store, API and dashboard.") { simulate, data, urls, instruments };
        command.SetAction(async (result, cancellationToken) =>
        {
            var settings = new SiloSettings(
                DataDirectory: result.GetValue(data)?.FullName,
                Urls: result.GetRequiredValue(urls),
                Simulate: result.GetValue(simulate),
                InstrumentsPath: result.GetValue(instruments)?.FullName);
            try
            {
                return await SiloRunner.RunAsync(settings, result.InvocationConfiguration.Error, cancellationToken);
            }
            catch (InstrumentRegistryException e)
            {
                await result.InvocationConfiguration.Error.WriteLineAsync(e.Message);
                return ExitCodes.BadConfiguration;
            }
        });
        return command;
    }
}
