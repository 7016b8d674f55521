namespace K2.Storage.ObjectStores;

/// <summary>An S3-compatible bucket for the warehouse (<c>K2:Warehouse:S3</c>). Path-style addressing is always used.</summary>
public sealed class S3WarehouseOptions
{
    /// <summary>The endpoint, e.g. <c>http://minio:9000</c>; ClickHouse must reach the same URL.</summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>The signing region; MinIO and s3rver accept any.</summary>
    public string Region { get; set; } = "us-east-1";

    public string Bucket { get; set; } = "";

    public string AccessKey { get; set; } = "";

    public string SecretKey { get; set; } = "";

    /// <summary>A folder inside the bucket that is the warehouse root (e.g. <c>k2/</c>); empty for the bucket root.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>
    /// Whether the server refuses a put with <c>If-None-Match: *</c> when the key exists (AWS S3, current MinIO). Set
    /// false for one that ignores the header and overwrites: commits then give each attempt's metadata file its own
    /// name and let the catalog's compare-and-swap alone decide.
    /// </summary>
    public bool CreateOnlyPuts { get; set; } = true;

    /// <summary>Retries of a request that failed transiently (throttling, 5xx, a dropped connection), with exponential backoff and jitter.</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>How long one request may take before it is abandoned (and retried).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Streamed puts longer than this are sent as a multipart upload.</summary>
    public long MultipartThresholdBytes { get; set; } = 64L << 20;

    /// <summary>The size of each part of a multipart upload (S3 requires at least 5 MiB; at most 10,000 parts).</summary>
    public int MultipartPartSizeBytes { get; set; } = 16 << 20;
}
