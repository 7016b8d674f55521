using System.Collections.Concurrent;
using System.Reflection;

namespace K2.Grains.Runtime;

internal sealed class GrainFactory(GrainCatalog catalog, GrainTypeRegistry registry) : IGrainFactory
{
    private readonly ConcurrentDictionary<(Type Interface, string Key), IGrain> _references = new();
    private readonly ConcurrentDictionary<Type, GrainInterfaceInvokers> _interfaces = new();

    public TGrainInterface GetGrain<TGrainInterface>(string key)
        where TGrainInterface : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_references.TryGetValue((typeof(TGrainInterface), key), out var existing))
        {
            return (TGrainInterface)existing;
        }

        var grainType = registry.GetByInterface(typeof(TGrainInterface));

        // Checks every method of the interface, once, so an unsupported signature fails here rather than at a call.
        var invokers = _interfaces.GetOrAdd(typeof(TGrainInterface), GrainInterfaceInvokers.Create);
        var reference = DispatchProxy.Create<TGrainInterface, GrainReference>();
        ((GrainReference)(object)reference).Initialize(new GrainId(grainType.Name, key), grainType, invokers, catalog);
        return (TGrainInterface)_references.GetOrAdd((typeof(TGrainInterface), key), reference);
    }
}
