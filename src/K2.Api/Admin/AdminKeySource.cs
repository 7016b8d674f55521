using System.Globalization;
using System.Text.RegularExpressions;

namespace K2.Api.Admin;

/// <summary>
/// Reads the configured keys and the keys file into named keys, with what is wrong with them. A problem names the
/// setting or the file's line, never a key's text.
/// </summary>
internal static partial class AdminKeySource
{
    /// <summary>Shorter keys are guessable; 16 characters of a random token carry far more than 64 bits.</summary>
    public const int MinKeyLength = 16;

    /// <summary>What a key name may be: it shows in logs and metrics.</summary>
    public const string NamePattern = "^[A-Za-z0-9._-]{1,64}$";

    public static (IReadOnlyList<AdminKeyOptions> Keys, IReadOnlyList<string> Problems) Read(AdminOptions options)
    {
        var keys = new List<AdminKeyOptions>();
        var problems = new List<string>();
        for (var i = 0; i < options.Keys.Count; i++)
        {
            Add(options.Keys[i], $"{AdminOptions.Section}:Keys:{i}", keys, problems);
        }

        if (options.KeysFile is { Length: > 0 } path)
        {
            ReadFile(path, keys, problems);
        }

        foreach (var name in keys.GroupBy(k => k.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key))
        {
            problems.Add($"{AdminOptions.Section}: the key name '{name}' is used more than once.");
        }

        if (keys.GroupBy(k => k.Key, StringComparer.Ordinal).Any(g => g.Count() > 1))
        {
            problems.Add($"{AdminOptions.Section}: the same key is configured under more than one name.");
        }

        return (keys, problems);
    }

    private static void ReadFile(string path, List<AdminKeyOptions> keys, List<string> problems)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            problems.Add($"{AdminOptions.Section}:KeysFile: cannot read '{path}': {e.Message}");
            return;
        }

        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var number = (i + 1).ToString(CultureInfo.InvariantCulture);
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var key = colon < 0
                ? new AdminKeyOptions { Name = "line" + number, Key = line }
                : new AdminKeyOptions { Name = line[..colon].Trim(), Key = line[(colon + 1)..].Trim() };
            Add(key, $"{AdminOptions.Section}:KeysFile line {number}", keys, problems);
        }
    }

    private static void Add(AdminKeyOptions key, string where, List<AdminKeyOptions> keys, List<string> problems)
    {
        var before = problems.Count;
        if (!ValidName().IsMatch(key.Name))
        {
            problems.Add($"{where}: the name must match {NamePattern}.");
        }

        if (key.Key.Length < MinKeyLength || key.Key.Any(char.IsWhiteSpace) || key.Key.Any(char.IsControl))
        {
            problems.Add($"{where}: the key must be at least {MinKeyLength} characters without spaces or control characters.");
        }

        if (problems.Count == before)
        {
            keys.Add(key);
        }
    }

    [GeneratedRegex(NamePattern)]
    private static partial Regex ValidName();
}
