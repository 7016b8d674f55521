namespace K2.Storage.Iceberg.Metadata;

/// <summary>A metadata file or value that breaks the Iceberg spec or K2's use of it; the message names what is wrong.</summary>
public sealed class IcebergMetadataException : Exception
{
    public IcebergMetadataException(string message)
        : base(message)
    {
    }

    public IcebergMetadataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
