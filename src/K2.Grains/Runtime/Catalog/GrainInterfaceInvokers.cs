using System.Reflection;

namespace K2.Grains.Runtime;

/// <summary>The invokers of every method of one grain interface (including inherited ones), checked when built.</summary>
internal sealed class GrainInterfaceInvokers
{
    private readonly Dictionary<MethodInfo, GrainMethodInvoker> _invokers;

    private GrainInterfaceInvokers(Dictionary<MethodInfo, GrainMethodInvoker> invokers) => _invokers = invokers;

    public static GrainInterfaceInvokers Create(Type grainInterface)
    {
        var methods = grainInterface.GetInterfaces()
            .Append(grainInterface)
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance));
        return new GrainInterfaceInvokers(methods.ToDictionary(method => method, GrainMethodInvoker.Create));
    }

    public GrainMethodInvoker Get(MethodInfo method) => _invokers[method];
}
