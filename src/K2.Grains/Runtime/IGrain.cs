namespace K2.Grains.Runtime;

/// <summary>Marker for grain interfaces: every method is a message to one activation.</summary>
public interface IGrain;
