using System.CommandLine;

namespace K2.Silo.Commands;

/// <summary>The <c>k2</c> command line.</summary>
internal static class K2Command
{
    public static RootCommand Create()
    {
        var root = new RootCommand("K2: live crypto trades from Binance, Kraken and Coinbase into a hot ClickHouse and a cold Iceberg tier.");
        root.Add(RunCommand.Create());
        root.Add(NormalizeCommand.Create());
        root.Add(MigrateCommand.Create());
        root.Add(OffloadCommand.Create());
        root.Add(MaintenanceCommand.Create());
        root.Add(ConfigCommand.Create());
        return root;
    }
}
