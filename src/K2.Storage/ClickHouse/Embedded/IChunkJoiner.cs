namespace K2.Storage.ClickHouse.Embedded;

/// <summary>
/// Makes the pieces chDB streams, one per block, into one document of their format: chDB writes each block as if it
/// were a whole result, so a header or footer comes once per piece.
/// </summary>
internal interface IChunkJoiner
{
    /// <summary>Takes the next piece, in order; it is valid only until the returned task completes.</summary>
    ValueTask AddAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken);

    /// <summary>Writes whatever ends the document, after the last piece.</summary>
    ValueTask CompleteAsync(CancellationToken cancellationToken);
}
