using K2.Core;

namespace K2.Simulator.Hosting;

/// <summary>The exchanges this simulator serves, and their live connections.</summary>
internal sealed class VenueCatalog(IReadOnlyList<IExchangeVenue> venues)
{
    public IReadOnlyList<IExchangeVenue> Venues { get; } = venues;

    public bool TryGet(Exchange exchange, out IExchangeVenue venue)
    {
        venue = Venues.FirstOrDefault(v => v.Exchange == exchange)!;
        return venue is not null;
    }

    /// <summary>Every connected session, by exchange and then session id.</summary>
    public IReadOnlyList<SimulatedSession> DescribeSessions() =>
    [
        .. Venues.SelectMany(v => v.Connections).Select(c => c.Describe()).OrderBy(s => s.Exchange).ThenBy(s => s.Id),
    ];
}
