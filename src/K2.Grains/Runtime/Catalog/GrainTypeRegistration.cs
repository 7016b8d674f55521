namespace K2.Grains.Runtime;

/// <summary>A grain interface, the class that implements it, and the type name used in grain ids and metrics.</summary>
internal sealed class GrainTypeRegistration
{
    private const string GrainSuffix = "Grain";

    public GrainTypeRegistration(Type interfaceType, Type grainClass)
    {
        InterfaceType = interfaceType;
        GrainClass = grainClass;
        Name = NameOf(grainClass);
        KeepAlive = grainClass.IsDefined(typeof(KeepAliveAttribute), inherit: false);
        MetricTag = new KeyValuePair<string, object?>("grain_type", Name);
    }

    public Type InterfaceType { get; }

    public Type GrainClass { get; }

    /// <summary>Orleans' convention: the class name without the <c>Grain</c> suffix, lower case (<c>InstrumentGrain</c> is <c>instrument</c>).</summary>
    public string Name { get; }

    public bool KeepAlive { get; }

    public KeyValuePair<string, object?> MetricTag { get; }

    private static string NameOf(Type grainClass)
    {
        var name = grainClass.Name;
        if (name.Length > GrainSuffix.Length && name.EndsWith(GrainSuffix, StringComparison.Ordinal))
        {
            name = name[..^GrainSuffix.Length];
        }

        return name.ToLowerInvariant();
    }
}
