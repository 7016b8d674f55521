namespace K2.Grains.Runtime;

/// <summary>The identity of a grain: its type name (e.g. <c>instrument</c>) and its key.</summary>
public readonly record struct GrainId(string Type, string Key)
{
    public override string ToString() => $"{Type}/{Key}";
}
