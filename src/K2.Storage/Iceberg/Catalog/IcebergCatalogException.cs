namespace K2.Storage.Iceberg.Catalog;

/// <summary>A catalog request that cannot be done as asked, e.g. registering a table that exists; the message says which.</summary>
public sealed class IcebergCatalogException(string message) : Exception(message);
