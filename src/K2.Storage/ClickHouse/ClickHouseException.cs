using System.Globalization;
using System.Text.RegularExpressions;

namespace K2.Storage.ClickHouse;

/// <summary>ClickHouse refused a statement. <see cref="ErrorCode"/> is the server's numeric code when it gave one.</summary>
public sealed partial class ClickHouseException : Exception
{
    public ClickHouseException(string message, int? errorCode = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorCode = errorCode ?? ParseCode(message);
    }

    /// <summary>ClickHouse error code, e.g. 60 for UNKNOWN_TABLE, 62 for SYNTAX_ERROR; null when unknown.</summary>
    public int? ErrorCode { get; }

    /// <summary>Reads the code from ClickHouse's message prefix: <c>Code: 60. DB::Exception: …</c>.</summary>
    private static int? ParseCode(string message)
    {
        var match = CodePrefix().Match(message);
        return match.Success ? int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"Code:\s*(\d{1,6})")]
    private static partial Regex CodePrefix();
}
