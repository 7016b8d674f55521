namespace K2.Simulator;

/// <summary>Log event ids of K2.Simulator (8000-8999), so operators can grep one id across processes.</summary>
public static class SimulatorEventIds
{
    public const int Started = 8001;
    public const int Stopped = 8002;
    public const int Paused = 8003;
    public const int Resumed = 8004;
    public const int SessionOpened = 8010;
    public const int SessionClosed = 8011;
    public const int SessionRateLimited = 8012;
    public const int SessionTooSlow = 8013;
    public const int FaultInjected = 8020;
}
