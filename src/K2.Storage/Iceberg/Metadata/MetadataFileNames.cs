using System.Globalization;
using System.Text;

namespace K2.Storage.Iceberg.Metadata;

/// <summary>
/// Names of a table's metadata files, chosen so that path-based readers find the newest: <c>metadata/v&lt;N&gt;.metadata.json</c>
/// (ClickHouse's <c>icebergLocal</c>/<c>icebergS3</c> list <c>metadata/</c> and take the highest N; Spark's Hadoop tables,
/// PyIceberg's <c>StaticTable</c> and DuckDB read <c>metadata/version-hint.text</c>, which holds N with no newline).
/// Version 1 is the table's first file. A file of version N must be written create-only: two writers racing for N
/// must not overwrite each other's file, and the catalog commit decides which one the table points at. Where the
/// store cannot refuse an existing name (s3rver), each attempt writes a name of its own instead,
/// <c>&lt;NNNNN&gt;-&lt;uuid&gt;.metadata.json</c> as Iceberg's metastore catalogs do, and the hint holds that name's stem.
/// </summary>
public static class MetadataFileNames
{
    public const string MetadataDirectory = "metadata";
    public const string VersionHintFile = "version-hint.text";
    private const string Suffix = ".metadata.json";

    /// <summary><c>v&lt;N&gt;.metadata.json</c>.</summary>
    public static string MetadataFile(int version)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        return string.Create(CultureInfo.InvariantCulture, $"v{version}{Suffix}");
    }

    /// <summary>
    /// <c>&lt;NNNNN&gt;-&lt;uuid&gt;.metadata.json</c>: version <paramref name="version"/> (five digits at least) named by
    /// one write attempt, so concurrent writers of the same version never share a name.
    /// </summary>
    public static string MetadataFile(int version, Guid attempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        return string.Create(CultureInfo.InvariantCulture, $"{AttemptPrefix(version)}{attempt:D}{Suffix}");
    }

    /// <summary>What every <see cref="MetadataFile(int, Guid)"/> name of <paramref name="version"/> starts with, and no other.</summary>
    public static string AttemptPrefix(int version)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        return string.Create(CultureInfo.InvariantCulture, $"{version:D5}-");
    }

    /// <summary>The full location of version <paramref name="version"/> under <paramref name="tableLocation"/>.</summary>
    public static string MetadataLocation(string tableLocation, int version) =>
        $"{tableLocation.TrimEnd('/')}/{MetadataDirectory}/{MetadataFile(version)}";

    /// <summary>The full location of the version hint under <paramref name="tableLocation"/>.</summary>
    public static string VersionHintLocation(string tableLocation) => $"{tableLocation.TrimEnd('/')}/{MetadataDirectory}/{VersionHintFile}";

    /// <summary>The hint's content: the version as ASCII digits, no newline (DuckDB takes the content literally).</summary>
    public static byte[] VersionHint(int version)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        return Encoding.ASCII.GetBytes(version.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The hint's content for the metadata file <paramref name="fileNameOrLocation"/>: the version for
    /// <c>v&lt;N&gt;.metadata.json</c>, as <see cref="VersionHint(int)"/>; the name without <c>.metadata.json</c> for
    /// any other name, which PyIceberg's <c>StaticTable</c> and ClickHouse's <c>iceberg_use_version_hint</c> resolve
    /// to that very file (a number would name a <c>v&lt;N&gt;</c> file that does not exist).
    /// </summary>
    public static byte[] VersionHintFor(string fileNameOrLocation)
    {
        var name = fileNameOrLocation[(fileNameOrLocation.LastIndexOf('/') + 1)..];
        if (VersionOf(name) is not { } version)
        {
            throw new ArgumentException($"'{name}' is not a metadata file name.", nameof(fileNameOrLocation));
        }

        return name.StartsWith('v') ? VersionHint(version) : Encoding.ASCII.GetBytes(name[..^Suffix.Length]);
    }

    /// <summary>
    /// The version a metadata file name (or location) carries, read as ClickHouse does: <c>v&lt;N&gt;.metadata.json</c>
    /// or <c>&lt;N&gt;-&lt;uuid&gt;.metadata.json</c>; null for any other name.
    /// </summary>
    public static int? VersionOf(string fileNameOrLocation)
    {
        var name = fileNameOrLocation[(fileNameOrLocation.LastIndexOf('/') + 1)..];
        if (!name.EndsWith(Suffix, StringComparison.Ordinal))
        {
            return null;
        }

        var digits = name.StartsWith('v') ? name[1..^Suffix.Length] : name.Split('-')[0];
        return digits.Length > 0 && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0
            ? version
            : null;
    }

    /// <summary>The version a hint file holds; surrounding whitespace written by other tools is tolerated.</summary>
    /// <exception cref="IcebergMetadataException">The hint is not a positive number.</exception>
    public static int ReadVersionHint(ReadOnlySpan<byte> content)
    {
        var text = Encoding.UTF8.GetString(content).Trim();
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0
            ? version
            : throw new IcebergMetadataException($"{VersionHintFile} holds '{text}', not a metadata version number.");
    }
}
