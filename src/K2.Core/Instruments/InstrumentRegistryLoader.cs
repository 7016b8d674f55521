using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace K2.Core.Instruments;

/// <summary>
/// Reads <c>config/instruments.yaml</c> and validates every entry. All problems are reported at once, each with its
/// file, line, column and field path, so a bad edit is fixed in one go rather than one start-up at a time.
/// </summary>
/// <remarks>
/// Format:
/// <code>
/// exchanges:
///   binance:
///     - symbol: BTC-USDT          # canonical BASE-QUOTE
///       exchange_symbol: BTCUSDT  # the exchange's WebSocket symbol
///       base: BTC
///       quote: USDT
///       price_scale: 2            # decimals of the price tick, 0..8
///       quantity_scale: 5         # decimals of the quantity step, 0..8
///       rest_symbol: XBTUSD       # optional: the REST API symbol where it differs
/// </code>
/// </remarks>
public static partial class InstrumentRegistryLoader
{
    private const string ExchangesKey = "exchanges";
    private static readonly string[] RequiredFields = ["symbol", "exchange_symbol", "base", "quote", "price_scale", "quantity_scale"];
    private static readonly string[] OptionalFields = ["rest_symbol"];

    public static InstrumentRegistry LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InstrumentRegistryException($"{path}: cannot read the instrument registry: {e.Message}");
        }

        return Parse(text, path);
    }

    /// <summary>Parses registry YAML; <paramref name="sourceName"/> prefixes every error message.</summary>
    public static InstrumentRegistry Parse(string yaml, string sourceName)
    {
        var errors = new List<string>();
        var instruments = new List<Instrument>();

        YamlNode? root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        }
        catch (YamlException e)
        {
            throw new InstrumentRegistryException(
                $"{sourceName}:{e.Start.Line}:{e.Start.Column}: not valid YAML: {e.InnerException?.Message ?? e.Message}");
        }

        if (root is not YamlMappingNode rootMap)
        {
            throw new InstrumentRegistryException($"{sourceName}:1:1: expected a mapping with an '{ExchangesKey}' key.");
        }

        void Error(YamlNode node, string path, string message) =>
            errors.Add($"{sourceName}:{node.Start.Line}:{node.Start.Column}: {path}: {message}");

        YamlMappingNode? exchanges = null;
        var exchangesPresent = false;
        foreach (var (key, value) in rootMap.Children)
        {
            if (Scalar(key) == ExchangesKey && value is YamlMappingNode map)
            {
                exchanges = map;
            }
            else if (Scalar(key) == ExchangesKey)
            {
                exchangesPresent = true;
                Error(value, ExchangesKey, "must be a mapping from exchange name to a list of instruments");
            }
            else
            {
                Error(key, Scalar(key) ?? "?", $"unknown key; the only top-level key is '{ExchangesKey}'");
            }
        }

        if (exchanges is null)
        {
            if (!exchangesPresent)
            {
                errors.Add($"{sourceName}:1:1: {ExchangesKey}: missing");
            }

            throw Failure(errors);
        }

        foreach (var (exchangeKey, exchangeValue) in exchanges.Children)
        {
            var exchangeName = Scalar(exchangeKey) ?? "";
            if (!ExchangeNames.TryParse(exchangeName, out var exchange) || exchangeName != exchange.ToName())
            {
                Error(exchangeKey, exchangeName, $"unknown exchange; expected one of {string.Join(", ", ExchangeNames.All.Select(e => e.ToName()))}");
                continue;
            }

            if (exchangeValue is not YamlSequenceNode list)
            {
                Error(exchangeValue, exchangeName, "must be a list of instruments");
                continue;
            }

            var seenSymbols = new HashSet<string>(StringComparer.Ordinal);
            var seenExchangeSymbols = new HashSet<string>(StringComparer.Ordinal);
            for (var index = 0; index < list.Children.Count; index++)
            {
                var path = $"{exchangeName}[{index}]";
                if (list.Children[index] is not YamlMappingNode entry)
                {
                    Error(list.Children[index], path, "must be a mapping of instrument fields");
                    continue;
                }

                if (ReadInstrument(exchange, entry, path, Error) is not { } instrument)
                {
                    continue;
                }

                if (!seenSymbols.Add(instrument.Symbol))
                {
                    Error(FieldValue(entry, "symbol"), $"{path}.symbol", $"duplicate symbol '{instrument.Symbol}' on {exchangeName}");
                    continue;
                }

                if (!seenExchangeSymbols.Add(instrument.ExchangeSymbol))
                {
                    Error(FieldValue(entry, "exchange_symbol"), $"{path}.exchange_symbol", $"duplicate exchange symbol '{instrument.ExchangeSymbol}' on {exchangeName}");
                    continue;
                }

                instruments.Add(instrument);
            }
        }

        if (errors.Count > 0)
        {
            throw Failure(errors);
        }

        return new InstrumentRegistry(instruments);
    }

    private static Instrument? ReadInstrument(Exchange exchange, YamlMappingNode entry, string path, Action<YamlNode, string, string> error)
    {
        var fields = new Dictionary<string, YamlScalarNode>(StringComparer.Ordinal);
        var ok = true;
        foreach (var (key, value) in entry.Children)
        {
            var name = Scalar(key) ?? "";
            if (!RequiredFields.Contains(name) && !OptionalFields.Contains(name))
            {
                error(key, $"{path}.{name}", $"unknown field; expected {string.Join(", ", RequiredFields.Concat(OptionalFields))}");
                ok = false;
            }
            else if (value is not YamlScalarNode scalar || string.IsNullOrWhiteSpace(scalar.Value))
            {
                error(value, $"{path}.{name}", "must be a non-empty value");
                ok = false;
            }
            else
            {
                fields[name] = scalar;
            }
        }

        foreach (var required in RequiredFields)
        {
            if (!fields.ContainsKey(required) && !entry.Children.Keys.Any(k => Scalar(k) == required))
            {
                error(entry, $"{path}.{required}", "missing");
                ok = false;
            }
        }

        if (!ok)
        {
            return null;
        }

        string Text(string field) => fields[field].Value!;

        foreach (var asset in new[] { "base", "quote" })
        {
            if (!AssetPattern().IsMatch(Text(asset)))
            {
                error(fields[asset], $"{path}.{asset}", $"'{Text(asset)}' is not an upper-case asset code (A-Z, 0-9, 2 to 12 characters)");
                ok = false;
            }
        }

        var expectedSymbol = $"{Text("base")}-{Text("quote")}";
        if (Text("symbol") != expectedSymbol)
        {
            error(fields["symbol"], $"{path}.symbol", $"'{Text("symbol")}' must be BASE-QUOTE, here '{expectedSymbol}'");
            ok = false;
        }

        if (Text("exchange_symbol").Any(char.IsWhiteSpace))
        {
            error(fields["exchange_symbol"], $"{path}.exchange_symbol", "must not contain whitespace");
            ok = false;
        }

        int Scale(string field)
        {
            if (int.TryParse(Text(field), NumberStyles.None, CultureInfo.InvariantCulture, out var scale) && scale <= Instrument.MaxScale)
            {
                return scale;
            }

            error(fields[field], $"{path}.{field}", $"'{Text(field)}' must be an integer from 0 to {Instrument.MaxScale}");
            ok = false;
            return 0;
        }

        var priceScale = Scale("price_scale");
        var quantityScale = Scale("quantity_scale");

        return ok
            ? new Instrument(exchange, Text("symbol"), Text("exchange_symbol"), Text("base"), Text("quote"), priceScale, quantityScale,
                fields.TryGetValue("rest_symbol", out var rest) ? rest.Value : null)
            : null;
    }

    private static string? Scalar(YamlNode node) => (node as YamlScalarNode)?.Value;

    /// <summary>The value node of a field that <see cref="ReadInstrument"/> has already found present.</summary>
    private static YamlNode FieldValue(YamlMappingNode entry, string field) =>
        entry.Children.First(pair => Scalar(pair.Key) == field).Value;

    private static InstrumentRegistryException Failure(List<string> errors) =>
        new($"The instrument registry is invalid ({errors.Count} problem{(errors.Count == 1 ? "" : "s")}):{Environment.NewLine}" +
            string.Join(Environment.NewLine, errors));

    [GeneratedRegex("^[A-Z0-9]{2,12}$")]
    private static partial Regex AssetPattern();
}
