using K2.Core;
using K2.Core.Candles;
using K2.Core.Instruments;

namespace K2.Api.Endpoints;

/// <summary>
/// Collects every problem with a request's query string so one 400 names them all. Parameters are read as text and
/// parsed here, so a bad value gets a message that says what is wrong instead of a bare framework 400.
/// </summary>
internal sealed partial class QueryValidation(IQueryCollection query)
{
    private readonly Dictionary<string, List<string>> _errors = [];

    public bool IsValid => _errors.Count == 0;

    public Dictionary<string, string[]> Errors => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    /// <summary>Unknown parameters are errors: a typo such as <c>limt</c> must not silently fall back to a default.</summary>
    public void AllowOnly(params string[] names)
    {
        foreach (var key in query.Keys.Where(k => !names.Contains(k, StringComparer.Ordinal)))
        {
            Add(key, $"Unknown parameter '{key}'. Allowed: {string.Join(", ", names)}.");
        }
    }

    public Exchange? RequiredExchange(string name)
    {
        if (Single(name) is not { } text)
        {
            Add(name, $"'{name}' is required: one of {string.Join(", ", ExchangeNames.All.Select(e => e.ToName()))}.");
            return null;
        }

        if (ExchangeNames.TryParse(text, out var exchange) && text == exchange.ToName())
        {
            return exchange;
        }

        Add(name, $"'{text}' is not an exchange; expected one of {string.Join(", ", ExchangeNames.All.Select(e => e.ToName()))}.");
        return null;
    }

    public Exchange? OptionalExchange(string name) => query.ContainsKey(name) ? RequiredExchange(name) : null;

    /// <summary>The instrument named by <paramref name="name"/> on <paramref name="exchange"/>; null when either is invalid.</summary>
    public Instrument? RequiredInstrument(string name, Exchange? exchange, InstrumentRegistry registry)
    {
        if (Single(name) is not { } symbol)
        {
            Add(name, $"'{name}' is required: a canonical symbol such as BTC-USDT (see /v1/instruments).");
            return null;
        }

        if (exchange is not { } listedOn)
        {
            return null; // the exchange's own error is already reported
        }

        if (registry.TryGet(listedOn, symbol, out var instrument))
        {
            return instrument;
        }

        Add(name, $"'{symbol}' is not listed on {listedOn.ToName()}; see /v1/instruments?exchange={listedOn.ToName()}.");
        return null;
    }

    public Timeframe? RequiredTimeframe(string name)
    {
        var names = string.Join(", ", Timeframes.All.Select(t => t.ToName()));
        if (Single(name) is not { } text)
        {
            Add(name, $"'{name}' is required: one of {names}.");
            return null;
        }

        if (Timeframes.TryParse(text, out var timeframe))
        {
            return timeframe;
        }

        Add(name, $"'{text}' is not a timeframe; expected one of {names}.");
        return null;
    }

    /// <summary>
    /// An ISO 8601 instant with an explicit offset (<c>2026-11-22T10:00:00Z</c>); a time without one is refused rather
    /// than guessed at.
    /// </summary>
    public UnixMicros? OptionalInstant(string name)
    {
        if (Single(name) is not { } text)
        {
            return null;
        }

        if (ExplicitOffset().IsMatch(text)
            && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var instant))
        {
            return UnixMicros.FromDateTimeOffset(instant);
        }

        Add(name, $"'{text}' is not valid for '{name}': expected an ISO 8601 time with Z or an offset, e.g. 2026-11-22T10:00:00Z.");
        return null;
    }

    public void Check(bool condition, string name, string message)
    {
        if (!condition)
        {
            Add(name, message);
        }
    }

    public int OptionalInt(string name, int defaultValue, int min, int max)
    {
        if (Single(name) is not { } text)
        {
            return defaultValue;
        }

        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            && value >= min && value <= max)
        {
            return value;
        }

        Add(name, $"'{text}' is not valid for '{name}': expected a whole number from {min} to {max}.");
        return defaultValue;
    }

    private string? Single(string name)
    {
        if (!query.TryGetValue(name, out var values) || values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            Add(name, $"'{name}' is given {values.Count} times; give it once.");
            return null;
        }

        return string.IsNullOrEmpty(values[0]) ? null : values[0];
    }

    private void Add(string name, string message)
    {
        if (!_errors.TryGetValue(name, out var list))
        {
            _errors[name] = list = [];
        }

        list.Add(message);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,7})?)?(Z|[+-]\d\d:\d\d)$")]
    private static partial System.Text.RegularExpressions.Regex ExplicitOffset();
}
