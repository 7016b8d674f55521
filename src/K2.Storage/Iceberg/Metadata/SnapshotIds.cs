namespace K2.Storage.Iceberg.Metadata;

/// <summary>
/// New snapshot ids as the reference implementation makes them: a random UUID's two halves XORed, kept positive, so
/// concurrent writers practically never pick the same id.
/// </summary>
public static class SnapshotIds
{
    public static long New()
    {
        Span<byte> bytes = stackalloc byte[16];
        Guid.NewGuid().TryWriteBytes(bytes);
        var high = BitConverter.ToInt64(bytes[..8]);
        var low = BitConverter.ToInt64(bytes[8..]);
        return (high ^ low) & long.MaxValue;
    }
}
