using K2.Api.Paging;
using K2.Api.Parameters;
using K2.Core;
using K2.Core.Instruments;
using K2.Storage.History;
using Microsoft.AspNetCore.Http.HttpResults;

namespace K2.Api.Endpoints;

/// <summary>
/// The checks of a history query that its text alone cannot settle (that ran before, in
/// <see cref="QueryRulesEndpointExtensions.WithQueryRules{TQuery}"/>): the symbol is listed on the exchange, the range
/// is not empty, the cursor belongs to this query. Every problem is collected so one 400 names them all.
/// </summary>
internal sealed class HistoryRequestChecks
{
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public ValidationProblem Problem() => TypedResults.ValidationProblem(_errors, title: QueryRulesEndpointExtensions.ProblemTitle);

    /// <summary>The instrument, or null (with the problem recorded) when the exchange does not list the symbol.</summary>
    public Instrument? Instrument(InstrumentRegistry registry, string exchangeName, string symbol)
    {
        if (ExchangeNames.TryParse(exchangeName, out var exchange) && registry.TryGet(exchange, symbol, out var instrument))
        {
            return instrument;
        }

        _errors["symbol"] = [$"'{symbol}' is not listed on {exchangeName}; see /v1/instruments?exchange={exchangeName}."];
        return null;
    }

    /// <summary>The range in exchange time; <c>from</c> must come before <c>to</c> when both are given.</summary>
    public (UnixMicros? From, UnixMicros? To) Range(DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is { } start && to is { } end && start >= end)
        {
            _errors["from"] = ["'from' must be before 'to'."];
        }

        return (from is { } f ? UnixMicros.FromDateTimeOffset(f) : null, to is { } t ? UnixMicros.FromDateTimeOffset(t) : null);
    }

    /// <summary>A range reads oldest first; without one, the newest rows come first.</summary>
    public static ReadDirection Direction(DateTimeOffset? from, DateTimeOffset? to) =>
        from is null && to is null ? ReadDirection.NewestFirst : ReadDirection.OldestFirst;

    /// <summary>
    /// An export streams the whole range [from, to): it needs a start (the end defaults to now), and it has no pages,
    /// so <c>limit</c> and <c>cursor</c>, which page JSON answers, do not apply.
    /// </summary>
    public void Export(DateTimeOffset? from, int? limit, string? cursor)
    {
        if (from is null)
        {
            _errors["from"] = ["An export (format ndjson, csv or parquet) streams a range: give 'from' (and 'to', or it ends now)."];
        }

        if (limit is not null)
        {
            _errors["limit"] = ["'limit' pages JSON answers; an export streams the whole range."];
        }

        if (!string.IsNullOrEmpty(cursor))
        {
            _errors["cursor"] = ["'cursor' pages JSON answers; an export streams the whole range."];
        }
    }

    /// <summary>Where the previous page ended, or null for the first page (or a cursor that does not fit, recorded).</summary>
    public (UnixMicros Position, string TradeId)? Cursor(string? cursor, ulong fingerprint, ReadDirection direction)
    {
        // An empty value counts as absent, as the query rules take it.
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        if (PageCursor.TryDecode(cursor, fingerprint, direction, out var position, out var tradeId, out var problem))
        {
            return (position, tradeId);
        }

        _errors["cursor"] = [problem];
        return null;
    }
}
