using System.Text.Json;

namespace K2.Core.Exchanges.Binance;

/// <summary>
/// Reads what K2 needs of Binance's <c>/api/v3/aggTrades</c> answer, an array of
/// <c>{"a","p","q","f","l","T","m","M"}</c>: the first trade id (<c>f</c>) of its first aggregate. Pure.
/// </summary>
public static class BinanceAggregateTradesParser
{
    /// <returns>
    /// False when the body is not a JSON array of objects, or its first object has no integer <c>f</c>;
    /// <paramref name="firstTradeId"/> is null for an empty array (no trade at or after the asked time).
    /// </returns>
    public static bool TryReadFirstTradeId(ReadOnlySpan<byte> body, out long? firstTradeId)
    {
        firstTradeId = null;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray || !reader.Read())
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return !reader.Read();
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isFirstId = reader.ValueTextEquals("f"u8);
                reader.Read();
                if (isFirstId)
                {
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var id) || id < 0)
                    {
                        return false;
                    }

                    firstTradeId = id;
                    return true;
                }

                reader.Skip();
            }

            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
