namespace K2.Grains.Runtime;

/// <summary>A grain interface whose activations are addressed by a string key.</summary>
public interface IGrainWithStringKey : IGrain;
