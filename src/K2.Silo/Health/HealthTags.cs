namespace K2.Silo.Health;

internal static class HealthTags
{
    /// <summary>Checks that gate <c>/health/ready</c>; <c>/health/live</c> runs none (the process answering is enough).</summary>
    public const string Ready = K2.Api.Hosting.HotStoreHealthCheck.ReadyTag;
}
