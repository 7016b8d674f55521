namespace K2.Api.Parameters;

/// <summary>Patterns shared by the query records, as constants so attributes can carry them.</summary>
internal static class ParameterPatterns
{
    public const int MaxSymbolLength = 32;

    /// <summary>Canonical symbols are BASE-QUOTE in upper case (the registry's form); anything else cannot be listed.</summary>
    public const string SymbolPattern = "^[A-Z0-9]{1,15}-[A-Z0-9]{1,15}$";

    public const string SymbolExpected = "a canonical symbol such as BTC-USDT (see /v1/instruments)";

    public const string CursorPattern = "^[A-Za-z0-9_-]+$";

    public const string CursorExpected = "a page's next_cursor, unchanged";
}
