namespace K2.Storage.Bronze;

/// <summary>Where a bronze row came from. Values are stable: they are written to storage.</summary>
public enum BronzeSource : sbyte
{
    WebSocket = 1,
    Rest = 2,
}
