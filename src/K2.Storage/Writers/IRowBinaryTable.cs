using K2.Core;
using K2.Storage.ClickHouse.RowBinary;

namespace K2.Storage.Writers;

/// <summary>How rows of one type are inserted into one table: the column list and the RowBinary encoding of a row.</summary>
public interface IRowBinaryTable<TRow>
{
    /// <summary>Table name without database, used in metrics and logs.</summary>
    string Name { get; }

    /// <summary>Columns in the order <see cref="Write"/> encodes them.</summary>
    IReadOnlyList<string> Columns { get; }

    /// <summary>Encodes one row; <paramref name="ingestTime"/> is when the batch is written.</summary>
    void Write(RowBinaryWriter writer, in TRow row, UnixMicros ingestTime);
}
