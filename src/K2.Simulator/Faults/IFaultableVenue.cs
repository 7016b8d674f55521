namespace K2.Simulator.Faults;

/// <summary>The faults only a venue itself can produce, because they need its wire format.</summary>
internal interface IFaultableVenue
{
    /// <summary>Queues <paramref name="count"/> malformed frames, in this venue's format, on every connection.</summary>
    void SendMalformedFrames(int count);
}
