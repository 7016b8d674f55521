namespace K2.Storage.ClickHouse.Http;

/// <summary>
/// Options for a ClickHouse server reached over its HTTP interface. Bound from <c>K2:Storage:Http</c>; the database
/// comes from <see cref="HotStoreOptions.Database"/>, which every K2 statement names.
/// </summary>
public sealed class ClickHouseHttpOptions
{
    public const string Section = "K2:Storage:Http";

    /// <summary>The server's HTTP endpoint (port 8123 by default, 8443 with TLS).</summary>
    public Uri Url { get; set; } = new("http://127.0.0.1:8123/");

    /// <summary>ClickHouse user, sent with <see cref="Password"/> as HTTP basic authentication.</summary>
    public string User { get; set; } = "default";

    /// <summary>The user's password, sent in the <c>Authorization</c> header (so it never lands in a proxy's URL log).</summary>
    public string Password { get; set; } = "";

    /// <summary>Longest wait for one request, from sending it to the last byte of the answer.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Extra attempts for a query whose request failed below ClickHouse (connection refused or dropped, a 5xx without
    /// a ClickHouse error code). Queries only: an insert or DDL may have taken effect before the failure.
    /// </summary>
    public int ReadRetries { get; set; } = 2;

    /// <summary>Wait before the first retry of a query; it doubles on each further retry.</summary>
    public TimeSpan ReadRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gzip insert bodies and accept gzip answers: trade rows compress several-fold, which pays off over a network.</summary>
    public bool Compression { get; set; } = true;
}
