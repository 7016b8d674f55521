using System.Text.RegularExpressions;

namespace K2.Storage;

/// <summary>Options for the hot store (ClickHouse). Bound from <c>K2:Storage</c>.</summary>
public sealed partial class HotStoreOptions
{
    public const string Section = "K2:Storage";

    /// <summary>ClickHouse database holding K2's tables. Tests give each fixture its own.</summary>
    public string Database { get; set; } = "k2";

    /// <summary>
    /// The database name is spliced into DDL (ClickHouse cannot bind identifiers there), so it is held to a strict
    /// identifier pattern. It comes from configuration, never from a request.
    /// </summary>
    public static bool IsValidDatabaseName(string name) => IdentifierPattern().IsMatch(name);

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex IdentifierPattern();
}
