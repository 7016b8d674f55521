using System.CommandLine;
using K2.Storage;
using K2.Storage.Hosting;
using K2.Storage.Schema;

namespace K2.Silo.Commands;

/// <summary>
/// <c>k2 migrate</c>: applies the hot store's pending schema migrations over the configured transport and says which
/// ran, then exits; for deployments that migrate before they roll out silos. K2 also migrates at start-up, so this is
/// never required. An embedded store held by a running K2 is refused, since one process owns a data directory.
/// </summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var data = CommonOptions.Data();
        var command = new Command("migrate", $"Apply pending hot-store schema migrations over the configured transport ({HotStoreTransport.ConfigurationKey}) and exit.")
        {
            data,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            CommonOptions.DataOverrides(result, data),
            result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, cancellationToken));
        return command;
    }

    /// <summary>
    /// Migrates with the configuration a silo would read (appsettings.json next to the binary, environment variables)
    /// plus <paramref name="overrides"/>, and returns the exit code.
    /// </summary>
    public static async Task<int> RunAsync(
        IReadOnlyDictionary<string, string?> overrides, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        return await CommandHost.RunAsync("migrate", overrides, coldTier: false, error, async (services, configuration) =>
        {
            var store = services.GetRequiredService<HotStoreOptions>();
            var transport = HotStoreTransport.Name(configuration);
            var applied = await services.GetRequiredService<HotStoreMigrator>().ApplyPendingAsync(cancellationToken);
            foreach (var migration in applied)
            {
                await output.WriteLineAsync($"applied {migration.Version} {migration.Name}");
            }

            await output.WriteLineAsync(applied.Count == 0
                ? $"k2 migrate: database {store.Database} ({transport}) is current; nothing to apply."
                : $"k2 migrate: applied {applied.Count} migration(s) to database {store.Database} ({transport}); it is current.");
            return ExitCodes.Success;
        });
    }
}
