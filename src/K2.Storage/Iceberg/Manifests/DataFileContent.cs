namespace K2.Storage.Iceberg.Manifests;

/// <summary>data_file.content (field 134): what the file holds.</summary>
public enum DataFileContent
{
    Data = 0,
    PositionDeletes = 1,
    EqualityDeletes = 2,
}
