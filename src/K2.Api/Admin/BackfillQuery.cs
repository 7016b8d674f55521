using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using K2.Api.Parameters;
using Microsoft.AspNetCore.Mvc;

namespace K2.Api.Admin;

/// <summary>The query string of <c>POST /v1/admin/backfill</c>; its attributes are the rules and the OpenAPI description alike.</summary>
public sealed record BackfillQuery(
    [property: FromQuery(Name = "exchange"), Required, ExchangeName,
        Description("The exchange: binance, kraken or coinbase, enabled on this silo.")]
    string? Exchange,
    [property: FromQuery(Name = "symbol"), Required, StringLength(BackfillQuery.MaxSymbolLength, MinimumLength = 3),
        RegularExpression(BackfillQuery.SymbolPattern, ErrorMessage = "a canonical symbol such as BTC-USD (see /v1/instruments)"),
        Description("The canonical symbol, as /v1/instruments lists it for the exchange.")]
    string? Symbol,
    [property: FromQuery(Name = "from"), Required,
        Description("Start of the range, inclusive: exchange time, ISO 8601 with Z or an offset.")]
    DateTimeOffset? From,
    [property: FromQuery(Name = "to"), Required,
        Description("End of the range, exclusive; not in the future, and at most 7 days after from.")]
    DateTimeOffset? To)
{
    public const int MaxSymbolLength = 32;
    public const string SymbolPattern = "^[A-Z0-9]{1,15}-[A-Z0-9]{1,15}$";

    /// <summary>
    /// The longest range one request may ask for. A busy pair trades about a million times a week; at Kraken's one page
    /// of 1,000 a second that holds the exchange's one backfill worker (and its gap repairs) for some 20 minutes.
    /// </summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(7);
}
