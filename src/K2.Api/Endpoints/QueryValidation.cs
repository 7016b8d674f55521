using K2.Core;
using K2.Core.Instruments;

namespace K2.Api.Endpoints;

/// <summary>
/// Collects every problem with a request's query string so one 400 names them all. Parameters are read as text and
/// parsed here, so a bad value gets a message that says what is wrong instead of a bare framework 400.
/// </summary>
internal sealed class QueryValidation(IQueryCollection query)
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
}
