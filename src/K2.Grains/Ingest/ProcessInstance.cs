using System.Security.Cryptography;

namespace K2.Grains.Ingest;

/// <summary>Tells this process's connections apart from other silos' and from its own earlier runs (in bronze ids).</summary>
internal static class ProcessInstance
{
    public static string Id { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();
}
