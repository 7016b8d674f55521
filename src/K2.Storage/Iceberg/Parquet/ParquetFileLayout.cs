using System.Buffers.Binary;

namespace K2.Storage.Iceberg.Parquet;

/// <summary>
/// Where the footer of a Parquet file lies: <c>PAR1</c>, pages, FileMetaData, its 4-byte little-endian length,
/// <c>PAR1</c> (parquet-format README, "File Format"). Checks both magics and that the length fits the file.
/// </summary>
internal readonly record struct ParquetFileLayout(long FooterOffset, int FooterLength)
{
    /// <summary>The 8 bytes after the footer: its length and the closing magic.</summary>
    public const int TailLength = 8;

    /// <summary>Leading magic, footer length and closing magic: the least a file can be.</summary>
    public const int MinimumFileLength = 4 + TailLength;

    public static ReadOnlySpan<byte> Magic => "PAR1"u8;

    private static ReadOnlySpan<byte> EncryptedMagic => "PARE"u8;

    public static ParquetFileLayout Locate(ReadOnlySpan<byte> file)
    {
        if (file.Length < MinimumFileLength)
        {
            throw new FormatException($"Parquet file is {file.Length} bytes; the smallest possible is {MinimumFileLength} (PAR1, footer length, PAR1).");
        }

        return Locate(file[..4], file[^TailLength..], file.Length);
    }

    /// <summary>Checks the first 4 and last 8 bytes of a file of <paramref name="fileLength"/> bytes.</summary>
    public static ParquetFileLayout Locate(ReadOnlySpan<byte> head, ReadOnlySpan<byte> tail, long fileLength)
    {
        if (fileLength < MinimumFileLength)
        {
            throw new FormatException($"Parquet file is {fileLength} bytes; the smallest possible is {MinimumFileLength} (PAR1, footer length, PAR1).");
        }

        if (!head.SequenceEqual(Magic))
        {
            throw new FormatException($"Parquet file does not start with PAR1 (starts with {Convert.ToHexString(head)}).");
        }

        var closing = tail[4..];
        if (closing.SequenceEqual(EncryptedMagic))
        {
            throw new FormatException("Parquet file has an encrypted footer (PARE); encrypted files are not supported.");
        }

        if (!closing.SequenceEqual(Magic))
        {
            throw new FormatException($"Parquet file does not end with PAR1 (ends with {Convert.ToHexString(closing)}); it may be truncated.");
        }

        var footerLength = BinaryPrimitives.ReadUInt32LittleEndian(tail);
        var room = fileLength - MinimumFileLength;
        if (footerLength == 0 || footerLength > room)
        {
            throw new FormatException($"Parquet footer length {footerLength} does not fit: the file has {room} bytes between its magics.");
        }

        return new ParquetFileLayout(fileLength - TailLength - footerLength, (int)footerLength);
    }

    /// <summary>Reads the footer bytes of a seekable stream, checking the layout on the way.</summary>
    public static async Task<(ParquetFileLayout Layout, byte[] Footer)> ReadFooterAsync(Stream source, CancellationToken cancellationToken)
    {
        if (!source.CanSeek || !source.CanRead)
        {
            throw new ArgumentException("Reading a Parquet footer needs a readable, seekable stream.", nameof(source));
        }

        var length = source.Length;
        if (length < MinimumFileLength)
        {
            throw new FormatException($"Parquet file is {length} bytes; the smallest possible is {MinimumFileLength} (PAR1, footer length, PAR1).");
        }

        var head = new byte[4];
        var tail = new byte[TailLength];
        source.Position = 0;
        await source.ReadExactlyAsync(head, cancellationToken);
        source.Position = length - TailLength;
        await source.ReadExactlyAsync(tail, cancellationToken);
        var layout = Locate(head, tail, length);
        var footer = new byte[layout.FooterLength];
        source.Position = layout.FooterOffset;
        await source.ReadExactlyAsync(footer, cancellationToken);
        return (layout, footer);
    }
}
