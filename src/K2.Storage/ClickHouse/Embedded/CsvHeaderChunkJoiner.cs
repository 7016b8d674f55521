namespace K2.Storage.ClickHouse.Embedded;

/// <summary>
/// chDB streams CSVWithNames with the header line at the start of every piece (measured with 26.7). The first
/// piece goes out whole; every later one must start with exactly the same header, which is dropped. A piece that does
/// not is an error rather than a guess, since it would mean chDB changed how it streams.
/// </summary>
internal sealed class CsvHeaderChunkJoiner(ClickHouseChunkWriter output) : IChunkJoiner
{
    private byte[]? _header;

    public ValueTask AddAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
    {
        if (_header is null)
        {
            _header = chunk.Span[..HeaderLength(chunk.Span)].ToArray();
            return output(chunk, cancellationToken);
        }

        if (!chunk.Span.StartsWith(_header))
        {
            throw new FormatException("A streamed CSVWithNames piece does not start with the header line of the first piece.");
        }

        return chunk.Length == _header.Length ? ValueTask.CompletedTask : output(chunk[_header.Length..], cancellationToken);
    }

    public ValueTask CompleteAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// The header record with its line break: up to the first <c>\n</c> outside double quotes. A quoted column name may
    /// hold a line break, and a quote inside quotes is doubled, which leaves the quoting state as it was.
    /// </summary>
    private static int HeaderLength(ReadOnlySpan<byte> chunk)
    {
        var quoted = false;
        for (var i = 0; i < chunk.Length; i++)
        {
            if (chunk[i] == (byte)'"')
            {
                quoted = !quoted;
            }
            else if (chunk[i] == (byte)'\n' && !quoted)
            {
                return i + 1;
            }
        }

        throw new FormatException("The first streamed CSVWithNames piece has no complete header line.");
    }
}
