using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using K2.Api.Exports;
using K2.Api.Paging;
using K2.Api.Parameters;
using Microsoft.AspNetCore.Mvc;

namespace K2.Api.Contracts;

/// <summary>The query string of <c>GET /v1/candles</c>; its attributes are the rules and the OpenAPI description alike.</summary>
public sealed record CandlesQuery(
    [property: FromQuery(Name = "exchange"), Required, ExchangeName, Description("The exchange.")]
    string? Exchange,
    [property: FromQuery(Name = "symbol"), Required, StringLength(ParameterPatterns.MaxSymbolLength, MinimumLength = 3),
        RegularExpression(ParameterPatterns.SymbolPattern, ErrorMessage = ParameterPatterns.SymbolExpected),
        Description("The canonical symbol, as /v1/instruments lists it for the exchange, e.g. BTC-USDT.")]
    string? Symbol,
    [property: FromQuery(Name = "timeframe"), Required, TimeframeName, Description("The candle length.")]
    string? Timeframe,
    [property: FromQuery(Name = "from"),
        Description("Earliest bucket start, inclusive: ISO 8601 with Z or an offset. With from or to, candles come oldest first.")]
    DateTimeOffset? From,
    [property: FromQuery(Name = "to"),
        Description("Bucket starts before this, exclusive. Without from and to, the newest candles come first.")]
    DateTimeOffset? To,
    [property: FromQuery(Name = "limit"), Range(1, CandlesQuery.MaxLimit),
        Description("Candles per page; default 500.")]
    int? Limit,
    [property: FromQuery(Name = "cursor"), StringLength(PageCursor.MaxLength),
        RegularExpression(ParameterPatterns.CursorPattern, ErrorMessage = ParameterPatterns.CursorExpected),
        Description("The next_cursor of the previous page, with the same exchange, symbol, timeframe, from and to.")]
    string? Cursor,
    [property: FromQuery(Name = "format"), ResponseFormatName,
        Description("json (default) pages; ndjson, csv and parquet stream every row of [from, to) (an export: from is needed, limit and cursor are not used). The Accept header chooses when format is absent.")]
    string? Format)
{
    public const int DefaultLimit = 500;
    public const int MaxLimit = 5_000;
}
