using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace K2.Grains.Runtime;

/// <summary>
/// What <see cref="IGrainFactory.GetGrain{TGrainInterface}"/> returns: a proxy whose interface methods become messages
/// to the grain's current activation.
/// </summary>
[SuppressMessage("Performance", "CA1852:Seal internal types", Justification = "DispatchProxy derives the proxy class from this one at run time.")]
internal class GrainReference : DispatchProxy
{
    // Set by Initialize right after DispatchProxy.Create, which needs a parameterless constructor.
    private GrainCatalog _catalog = null!;
    private GrainTypeRegistration _grainType = null!;
    private GrainInterfaceInvokers _invokers = null!;

    public GrainId GrainId { get; private set; }

    public void Initialize(GrainId grainId, GrainTypeRegistration grainType, GrainInterfaceInvokers invokers, GrainCatalog catalog)
    {
        GrainId = grainId;
        _grainType = grainType;
        _invokers = invokers;
        _catalog = catalog;
    }

    public ValueTask EnqueueAsync(MailboxItem item, CancellationToken cancellationToken) =>
        _catalog.EnqueueAsync(GrainId, _grainType, item, cancellationToken);

    public override string ToString() => GrainId.ToString();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        _invokers.Get(targetMethod!).Invoke(this, args ?? []);
}
