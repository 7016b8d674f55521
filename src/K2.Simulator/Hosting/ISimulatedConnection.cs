namespace K2.Simulator.Hosting;

/// <summary>One live WebSocket connection of any exchange, as the host and the fault injector see it.</summary>
internal interface ISimulatedConnection
{
    SimulatedSession Describe();

    /// <summary>Cuts the connection at once, without a close handshake, as a network failure would.</summary>
    void Abort();
}
