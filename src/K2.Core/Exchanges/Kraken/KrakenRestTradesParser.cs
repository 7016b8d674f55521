using System.Globalization;
using System.Text;
using System.Text.Json;
using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Core.Exchanges.Kraken;

/// <summary>
/// Parses Kraken's <c>GET /0/public/Trades</c> response for one instrument:
/// <c>{"error":[],"result":{"XXBTZUSD":[["30243.40000","0.34507674",1688669597.8277369,"b","m","",61044952],…],"last":"1688671969993150842"}}</c>.
/// Each row is <c>[price, volume, time, side, order type, miscellaneous, trade id]</c>. Pure; a bad row rejects
/// only itself, and a body that is not Kraken's envelope adds nothing.
/// </summary>
/// <remarks>
/// <para>Price and volume are decimal strings. <c>side</c> (<c>b</c>/<c>s</c>) is the taker's side.</para>
/// <para>
/// The time is a JSON number of seconds, read as an exact decimal and then truncated to the microsecond. Kraken
/// prints it as a double of a finer clock (<c>1688669597.8277369</c> has seven decimals, more than a microsecond
/// time would ever need), and a double near 1.7e9 s carries about 0.24 µs of error; so the REST time of a trade can
/// be one microsecond off its WebSocket time. Trades are matched by id, never by time, so this only decides which
/// microsecond is stored when a trade is first seen on REST.
/// </para>
/// <para><c>last</c> is a nanosecond cursor (19 digits): kept as the text Kraken sent and as a long, never a double.</para>
/// </remarks>
public static class KrakenRestTradesParser
{
    private const int MaxDepth = 8;

    /// <summary>Row positions of Kraken's trade arrays.</summary>
    private const int PriceIndex = 0;
    private const int VolumeIndex = 1;
    private const int TimeIndex = 2;
    private const int SideIndex = 3;
    private const int TradeIdIndex = 6;

    private static readonly string[] RowFields = ["price", "volume", "time", "side", "order type", "miscellaneous", "trade id"];

    /// <remarks>
    /// The time rule is <see cref="ExchangeTimeRule.Live"/> for repairs of the live stream and
    /// <see cref="ExchangeTimeRule.Replay"/> for an operator's requested backfill, which may reach beyond 30 days.
    /// </remarks>
    public static KrakenRestTradesPage Parse(
        ReadOnlySpan<byte> body, Instrument instrument, UnixMicros receivedAt, List<Trade> trades, List<TradeRejection> rejections,
        ExchangeTimeRule timeRule = ExchangeTimeRule.Live)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        ArgumentNullException.ThrowIfNull(trades);
        ArgumentNullException.ThrowIfNull(rejections);

        var (tradesBefore, rejectionsBefore) = (trades.Count, rejections.Count);
        var errors = new List<string>();
        KrakenRestTradesPage Fail(KrakenRestOutcome outcome, string? detail)
        {
            trades.RemoveRange(tradesBefore, trades.Count - tradesBefore);
            rejections.RemoveRange(rejectionsBefore, rejections.Count - rejectionsBefore);
            return new KrakenRestTradesPage(outcome, null, null, errors, 0, 0, detail);
        }

        string? last = null;
        var hasResult = false;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Fail(KrakenRestOutcome.Malformed, "the body is not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("error"u8))
                {
                    ReadErrors(ref reader, errors);
                }
                else if (reader.ValueTextEquals("result"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        hasResult = true;
                        last = ReadResult(ref reader, instrument, receivedAt, timeRule, trades, rejections);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.Read())
            {
                return Fail(KrakenRestOutcome.Malformed, "more than one JSON value in the body");
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return Fail(KrakenRestOutcome.Malformed, $"malformed JSON: {e.Message}");
        }

        // Kraken prefixes errors with 'E' and warnings with 'W'; warnings come with a result.
        var error = errors.Find(text => text.StartsWith('E'));
        if (error is not null)
        {
            var outcome = errors.Contains(KrakenErrorTexts.RestTooManyRequests) ? KrakenRestOutcome.Throttled
                : errors.Contains(KrakenErrorTexts.RestUnknownAssetPair) ? KrakenRestOutcome.UnknownPair
                : KrakenRestOutcome.Error;
            return Fail(outcome, error);
        }

        if (!hasResult || last is null)
        {
            return Fail(KrakenRestOutcome.Malformed, hasResult ? "the result has no 'last' cursor" : "the body has neither errors nor a result");
        }

        return new KrakenRestTradesPage(
            KrakenRestOutcome.Trades, last, KrakenNumber.ParseInt64(Encoding.UTF8.GetBytes(last)), errors,
            trades.Count - tradesBefore, rejections.Count - rejectionsBefore);
    }

    private static void ReadErrors(ref Utf8JsonReader reader, List<string> errors)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            throw new JsonException("'error' is not an array");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                errors.Add(reader.GetString()!);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    /// <summary>Reads the result object; returns the <c>last</c> cursor's text.</summary>
    private static string? ReadResult(
        ref Utf8JsonReader reader, Instrument instrument, UnixMicros receivedAt, ExchangeTimeRule timeRule, List<Trade> trades, List<TradeRejection> rejections)
    {
        string? last = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("last"u8))
            {
                reader.Read();
                last = reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString(),
                    JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
                    _ => null,
                };
                reader.Skip();
                continue;
            }

            var key = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }

            // Only the requested pair is expected; rows under any other key cannot be attributed.
            var matches = KrakenSymbols.IsRestKeyOf(instrument, key);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (!matches)
                {
                    reader.Skip();
                    rejections.Add(new TradeRejection(TradeRejectReason.UnknownSymbol, $"response key '{key}' is not {instrument.Key}", key));
                }
                else if (reader.TokenType == JsonTokenType.StartArray)
                {
                    ReadRow(ref reader, instrument, receivedAt, timeRule, trades, rejections);
                }
                else
                {
                    reader.Skip();
                    rejections.Add(new TradeRejection(TradeRejectReason.InvalidField, "a trade must be a JSON array", instrument.ExchangeSymbol));
                }
            }
        }

        return last;
    }

    private static void ReadRow(
        ref Utf8JsonReader reader, Instrument instrument, UnixMicros receivedAt, ExchangeTimeRule timeRule, List<Trade> trades, List<TradeRejection> rejections)
    {
        decimal? price = null, volume = null;
        UnixMicros? time = null;
        TradeSide? side = null;
        long? id = null;
        string? rawId = null;
        string? invalid = null;
        var reason = TradeRejectReason.InvalidField;
        var index = 0;
        for (; reader.Read() && reader.TokenType != JsonTokenType.EndArray; index++)
        {
            switch (index)
            {
                case PriceIndex or VolumeIndex:
                    decimal? value = reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && DecimalText.TryParse(reader.ValueSpan, out var d) ? d : null;
                    invalid ??= value is null ? $"{RowFields[index]} must be a decimal string" : null;
                    (price, volume) = index == PriceIndex ? (value, volume) : (price, value);
                    break;
                case TimeIndex:
                    time = reader.TokenType == JsonTokenType.Number && KrakenNumber.TryParseSecondsAsMicros(reader.ValueSpan, out var t) ? t : null;
                    if (time is null && invalid is null)
                    {
                        (invalid, reason) = ("time must be a JSON number of seconds", TradeRejectReason.InvalidTimestamp);
                    }

                    break;
                case SideIndex:
                    side = reader.TokenType != JsonTokenType.String ? null
                        : reader.ValueTextEquals("b"u8) ? TradeSide.Buy
                        : reader.ValueTextEquals("s"u8) ? TradeSide.Sell
                        : null;
                    invalid ??= side is null ? "side must be \"b\" or \"s\"" : null;
                    break;
                case TradeIdIndex:
                    id = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number) ? number : null;
                    rawId = id?.ToString(CultureInfo.InvariantCulture)
                        ?? (reader.TokenType is JsonTokenType.Number ? KrakenNumber.Describe(reader.ValueSpan) : null);
                    invalid ??= id is null ? "trade id must be an integer" : null;
                    break;
            }

            // Order type, miscellaneous and anything appended later; also any nested value in a field above.
            reader.Skip();
        }

        if (invalid is not null)
        {
            rejections.Add(new TradeRejection(reason, invalid, instrument.ExchangeSymbol, rawId));
            return;
        }

        if (price is not { } p || volume is not { } q || time is not { } exchangeTime || side is not { } s || id is not { } tradeId)
        {
            rejections.Add(new TradeRejection(
                TradeRejectReason.MissingField, $"the row has {index} of 7 fields; missing {RowFields[Math.Min(index, TradeIdIndex)]}",
                instrument.ExchangeSymbol, rawId));
            return;
        }

        var problem = tradeId < 0 ? (TradeRejectReason.InvalidTradeId, $"trade id {tradeId} is negative")
            : TradeValidator.CheckPrice(p) is { } badPrice ? (TradeRejectReason.InvalidPrice, badPrice)
            : TradeValidator.CheckQuantity(q) is { } badQuantity ? (TradeRejectReason.InvalidQuantity, badQuantity)
            : TradeValidator.CheckExchangeTime(exchangeTime, receivedAt, timeRule) is { } badTime ? (TradeRejectReason.InvalidTimestamp, badTime)
            : ((TradeRejectReason, string)?)null;
        if (problem is { } rejected)
        {
            rejections.Add(new TradeRejection(rejected.Item1, rejected.Item2, instrument.ExchangeSymbol, rawId));
            return;
        }

        trades.Add(new Trade(instrument, TradeId.FromNumber(tradeId), p, q, s, exchangeTime, receivedAt));
    }
}
