namespace K2.Grains.Runtime;

/// <summary>Marks a grain class whose activations are never collected for being idle.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class KeepAliveAttribute : Attribute;
