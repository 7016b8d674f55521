namespace K2.Grains.Abstractions;

/// <summary>
/// The silos the answering silo's membership view holds active, from memory. Orleans' <c>IManagementGrain</c> re-reads
/// the membership table before every answer that lists silos, so it fails while PostgreSQL is down; a status poll
/// must not.
/// </summary>
public interface IClusterViewGrain : IGrainWithIntegerKey
{
    Task<SiloAddress[]> GetActiveSilosAsync();
}
