using K2.Core;
using K2.Core.Instruments;

namespace K2.Api.Admin;

/// <summary>
/// The checks of a backfill request that its text alone cannot settle: the exchange runs here,
/// it lists the symbol, and [from, to) is not empty, not in the future and at most <see cref="BackfillQuery.MaxRange"/>.
/// Every problem is collected, keyed by the parameter it concerns.
/// </summary>
internal static class BackfillRangeChecks
{
    public static Dictionary<string, string[]> Check(
        BackfillQuery query, InstrumentRegistry registry, IReadOnlyCollection<Exchange> enabled, DateTimeOffset now, out Instrument? instrument)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        instrument = null;
        // The query rules have admitted only exchange names.
        ExchangeNames.TryParse(query.Exchange, out var exchange);
        if (!enabled.Contains(exchange))
        {
            errors["exchange"] = [$"{exchange.ToName()} is not enabled on this silo: its backfill worker runs only with its sessions."];
        }

        if (!registry.TryGet(exchange, query.Symbol!, out var listed))
        {
            errors["symbol"] = [$"'{query.Symbol}' is not listed on {exchange.ToName()}; see /v1/instruments?exchange={exchange.ToName()}."];
        }

        var (from, to) = (query.From!.Value, query.To!.Value);
        if (from >= to)
        {
            errors["from"] = ["'from' must be before 'to'."];
        }
        else if (to - from > BackfillQuery.MaxRange)
        {
            errors["to"] = [$"The range may span at most {BackfillQuery.MaxRange.TotalDays:0} days; split it into several requests."];
        }

        if (to > now)
        {
            errors["to"] = [$"'to' lies in the future (now is {now:O}); the exchange has no trades there yet."];
        }

        instrument = errors.Count == 0 ? listed : null;
        return errors;
    }
}
