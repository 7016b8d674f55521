namespace K2.Storage.Iceberg.Parquet.Thrift;

/// <summary>
/// The type codes of the Thrift compact protocol (apache/thrift doc/specs/thrift-compact-protocol.md). A bool field
/// carries its value in the code (<see cref="BooleanTrue"/> or <see cref="BooleanFalse"/>); as a list or map element
/// type either code means bool.
/// </summary>
internal enum ThriftCompactType : byte
{
    Stop = 0,
    BooleanTrue = 1,
    BooleanFalse = 2,
    Byte = 3,
    I16 = 4,
    I32 = 5,
    I64 = 6,
    Double = 7,
    Binary = 8,
    List = 9,
    Set = 10,
    Map = 11,
    Struct = 12,
}
