namespace K2.Storage.ObjectStores;

/// <summary>
/// The rules every object key follows, so that a key means the same file in a directory and in a bucket and can be
/// spliced into a ClickHouse table function as is: one or more <c>/</c>-separated segments of ASCII letters, digits and
/// <c>. _ - =</c>; no empty segment (so no leading, trailing or doubled <c>/</c>); no segment starting with <c>.</c>
/// (so no <c>.</c> or <c>..</c>, and the local store's temporary files can never collide with a key). Backslashes,
/// spaces, <c>%</c> and ClickHouse's glob characters (<c>* ? { }</c>) are therefore all refused.
/// </summary>
public static class ObjectKey
{
    /// <summary>Throws <see cref="InvalidObjectKeyException"/> naming the first rule <paramref name="key"/> breaks.</summary>
    public static void Validate(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0)
        {
            throw new InvalidObjectKeyException(key, "it is empty");
        }

        if (key[^1] == '/')
        {
            throw new InvalidObjectKeyException(key, "it ends with '/'");
        }

        ValidatePrefix(key);
    }

    /// <summary>
    /// Checks a listing prefix: empty, or what a key could start with (whole segments, the last one possibly partial or
    /// followed by <c>/</c>).
    /// </summary>
    public static void ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0)
        {
            return;
        }

        var segments = prefix.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            var last = i == segments.Length - 1;
            if (segment.Length == 0 && !(last && i > 0))
            {
                throw new InvalidObjectKeyException(prefix, i == 0 ? "it starts with '/'" : "it has an empty segment ('//')");
            }

            if (segment.StartsWith('.'))
            {
                throw new InvalidObjectKeyException(prefix, $"segment '{segment}' starts with '.' ('.' and '..' are not allowed)");
            }

            foreach (var c in segment)
            {
                if (!IsAllowed(c))
                {
                    throw new InvalidObjectKeyException(prefix, $"it contains {Describe(c)}; keys use only ASCII letters, digits, '.', '_', '-', '=' and '/'");
                }
            }
        }
    }

    private static bool IsAllowed(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '=';

    private static string Describe(char c) => c switch
    {
        '\\' => "a backslash",
        _ when char.IsControl(c) || char.IsWhiteSpace(c) => $"the character U+{(int)c:X4}",
        _ => $"'{c}'",
    };
}
