using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using K2.Core;
using K2.Core.Exchanges;
using K2.Core.Exchanges.Binance;
using K2.Core.Exchanges.Coinbase;
using K2.Core.Exchanges.Kraken;
using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Silo.Commands;

/// <summary>
/// <c>k2 normalize --exchange X</c>: raw frames on stdin (one JSON frame per line) become canonical trades on stdout, one
/// JSON object per line; every rejected frame or trade goes to stderr with its reasons. For replaying captures.
/// </summary>
internal static class NormalizeCommand
{
    public static Command Create()
    {
        var exchange = new Option<string>("--exchange") { Description = "binance, kraken or coinbase.", Required = true };
        exchange.AcceptOnlyFromAmong([.. ExchangeNames.All.Select(e => e.ToName())]);
        var receivedAt = new Option<string>("--received-at")
        {
            Description = "Check the frames as live ingest would, as if received at this time (ISO 8601): trades more than 30 days older are " +
                "rejected. Default: a capture is history, so any age is accepted (a time ahead of now still is not).",
        };
        var coinbaseSide = new Option<CoinbaseSideConvention>("--coinbase-side")
        {
            Description = "Whether Coinbase's side is the taker's (default) or the maker's; see docs/EXCHANGES.md.",
            DefaultValueFactory = _ => CoinbaseSideConvention.Taker,
        };
        var instruments = CommonOptions.Instruments();

        var command = new Command("normalize", "Normalize raw exchange frames from stdin into canonical trades on stdout.")
        {
            exchange, receivedAt, coinbaseSide, instruments,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var error = result.InvocationConfiguration.Error;
            UnixMicros? asOf = null;
            if (result.GetValue(receivedAt) is { } text)
            {
                if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                {
                    await error.WriteLineAsync($"--received-at: '{text}' is not an ISO 8601 time");
                    return ExitCodes.BadConfiguration;
                }

                asOf = UnixMicros.FromDateTimeOffset(parsed);
            }

            if (await CommonOptions.LoadInstrumentsAsync(result, instruments) is not { } registry)
            {
                return ExitCodes.BadConfiguration;
            }

            ExchangeNames.TryParse(result.GetRequiredValue(exchange), out var venue);
            var normalizer = Normalizer(venue, registry, result.GetValue(coinbaseSide), asOf is null ? ExchangeTimeRule.Replay : ExchangeTimeRule.Live);
            try
            {
                await NormalizeAsync(normalizer, Console.OpenStandardInput(), result.InvocationConfiguration.Output, error, asOf, cancellationToken);
                return ExitCodes.Success;
            }
            catch (IOException e)
            {
                await error.WriteLineAsync($"k2 normalize: cannot read stdin: {e.Message}");
                return ExitCodes.StartFailed;
            }
        });
        return command;
    }

    /// <summary>Binance captures may be in milliseconds or microseconds; the unit is inferred per trade.</summary>
    private static ITradeFrameNormalizer Normalizer(
        Exchange exchange, InstrumentRegistry registry, CoinbaseSideConvention coinbaseSide, ExchangeTimeRule timeRule) => exchange switch
    {
        Exchange.Binance => new BinanceFrameNormalizer(registry, BinanceTimeUnit.Detect, timeRule),
        Exchange.Kraken => new KrakenFrameNormalizer(registry, timeRule),
        Exchange.Coinbase => new CoinbaseFrameNormalizer(registry, coinbaseSide, timeRule),
        _ => throw new ArgumentOutOfRangeException(nameof(exchange), exchange, "Unknown exchange."),
    };

    /// <summary>Reads lines until end of input; a bad line never stops the run.</summary>
    public static async Task NormalizeAsync(
        ITradeFrameNormalizer normalizer, Stream input, TextWriter output, TextWriter error, UnixMicros? receivedAt, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(input, Encoding.UTF8);
        List<Trade> trades = [];
        List<TradeRejection> rejections = [];
        var lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            trades.Clear();
            rejections.Clear();
            normalizer.Normalize(Encoding.UTF8.GetBytes(line), receivedAt ?? UnixMicros.Now(TimeProvider.System), trades, rejections);
            foreach (var trade in trades)
            {
                await output.WriteLineAsync(TradeJson(trade));
            }

            foreach (var rejection in rejections)
            {
                await error.WriteLineAsync(RejectionJson(lineNumber, rejection, line));
            }
        }

        await output.FlushAsync(cancellationToken);
    }

    private static string TradeJson(Trade trade) => Json(w =>
    {
        w.WriteString("exchange", trade.Exchange.ToName());
        w.WriteString("symbol", trade.Symbol);
        w.WriteString("raw_symbol", trade.Instrument.ExchangeSymbol);
        w.WriteString("trade_id", trade.TradeId.ToString());
        // As the exchange printed them: a decimal keeps the scale it was parsed with.
        w.WriteString("price", trade.Price.ToString(CultureInfo.InvariantCulture));
        w.WriteString("quantity", trade.Quantity.ToString(CultureInfo.InvariantCulture));
        w.WriteString("side", trade.Side.ToName());
        w.WriteString("exchange_ts", trade.ExchangeTime.ToString());
    });

    private static string RejectionJson(int lineNumber, TradeRejection rejection, string line) => Json(w =>
    {
        const int MaxFrameChars = 1024;
        w.WriteNumber("line", lineNumber);
        w.WriteString("reason", rejection.Reason.ToName());
        w.WriteString("detail", rejection.Detail);
        w.WriteString("raw_symbol", rejection.RawSymbol);
        w.WriteString("trade_id", rejection.RawTradeId);
        w.WriteString("frame", line.Length <= MaxFrameChars ? line : line[..MaxFrameChars]);
    });

    private static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
