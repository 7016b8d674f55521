namespace K2.Storage.Iceberg.Catalog;

/// <summary>A table's name in the catalog: <c>cold.silver_trades</c> is namespace <c>cold</c>, name <c>silver_trades</c>.</summary>
public sealed record TableIdentifier(string Namespace, string Name)
{
    public override string ToString() => $"{Namespace}.{Name}";
}
