namespace K2.Storage.ObjectStores;

/// <summary>
/// The storage the Iceberg warehouse lives in: a local directory (embedded mode) or an S3 bucket (cluster mode). Keys
/// are <c>/</c>-separated paths relative to the warehouse root, e.g.
/// <c>cold/silver_trades/data/exchange_ts_day=2026-11-22/&lt;uuid&gt;.parquet</c>, and must pass
/// <see cref="ObjectKey.Validate"/>. Every operation is safe to call concurrently.
/// </summary>
public interface IObjectStore
{
    /// <summary>
    /// Whether <see cref="PutIfAbsentAsync"/> is atomic against a concurrent writer of the same key. True for a local
    /// directory; for S3 it depends on the server (AWS S3 and MinIO honour <c>If-None-Match: *</c>, s3rver ignores it),
    /// which is why commits rely on the SQL catalog's compare-and-swap, never on this.
    /// </summary>
    bool EnforcesCreateOnly { get; }

    /// <summary>Writes the object, replacing any object with that key. Readers see the old or the new content, never a part.</summary>
    Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="length"/> bytes read from <paramref name="content"/> (from its current position), replacing
    /// any object with that key. A stream shorter or longer than <paramref name="length"/> is refused and nothing is written.
    /// </summary>
    Task PutAsync(string key, Stream content, long length, CancellationToken cancellationToken);

    /// <summary>Writes the object only if no object has that key; false (and nothing written) if one does.</summary>
    Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>The object's bytes, or null when no object has that key.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>A stream of the object's bytes for the caller to dispose, or null when no object has that key.</summary>
    Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>The object's size and last-modified time, or null when no object has that key.</summary>
    Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Every object whose key starts with <paramref name="prefix"/> (a plain string prefix, as in S3: <c>""</c> is all,
    /// <c>cold/t/</c> is everything under that folder), in ordinal key order. Pages are fetched as the caller goes.
    /// </summary>
    IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Deletes the object; deleting a key that has no object is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Where ClickHouse reads the same object: an absolute file path for a local store (for <c>file()</c> and
    /// <c>icebergLocal()</c>), an <c>http(s)://endpoint/bucket/key</c> URL for S3 (for <c>s3()</c> and <c>icebergS3()</c>).
    /// </summary>
    string LocationOf(string key);

    /// <summary>
    /// The location Iceberg metadata records for the object (table location, manifest list, manifest and data file
    /// paths): for a local store the same absolute path as <see cref="LocationOf"/>; for S3 the <c>s3://bucket/key</c>
    /// URI that Spark, PyIceberg and Trino resolve through their own endpoint setting (an <c>http://</c> location is
    /// not an S3 path to them) and that ClickHouse's <c>icebergS3</c> reads as well, relating it to the table location.
    /// </summary>
    string IcebergLocationOf(string key);

    /// <summary>The key of a location <see cref="IcebergLocationOf"/> gave, or null for a location outside this store.</summary>
    string? KeyOf(string icebergLocation);
}
