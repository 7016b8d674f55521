using System.Linq.Expressions;
using System.Reflection;

namespace K2.Grains.Runtime;

/// <summary>
/// Turns one call of one grain interface method into a mailbox entry, and the entry back into the task the caller
/// gets. Built once per method: the call into the grain is a compiled delegate, so a call costs no reflection.
/// </summary>
internal abstract class GrainMethodInvoker(int cancellationTokenIndex)
{
    /// <summary>Sends the call and returns what the interface method returns.</summary>
    public abstract object Invoke(GrainReference reference, object?[] arguments);

    public static GrainMethodInvoker Create(MethodInfo method)
    {
        var name = $"{method.DeclaringType!.Name}.{method.Name}";
        if (method.IsGenericMethodDefinition)
        {
            throw new NotSupportedException($"Grain method {name} is generic; grain methods cannot be.");
        }

        var parameters = method.GetParameters();
        if (parameters.Any(parameter => parameter.ParameterType.IsByRef))
        {
            throw new NotSupportedException($"Grain method {name} has a ref, out or in parameter; grain methods cannot.");
        }

        var (returnKind, resultType) = Classify(method.ReturnType) ?? throw new NotSupportedException(
            $"Grain method {name} returns {method.ReturnType.Name}; grain methods return Task, Task<T>, ValueTask or ValueTask<T>.");
        var oneWay = method.IsDefined(typeof(OneWayAttribute), inherit: false);
        if (oneWay && resultType is not null)
        {
            throw new NotSupportedException($"One-way grain method {name} returns a value; one-way methods return Task or ValueTask.");
        }

        // The caller's token (by convention the last parameter) bounds its wait for mailbox space.
        var cancellationTokenIndex = parameters.Length > 0 && parameters[^1].ParameterType == typeof(CancellationToken)
            ? parameters.Length - 1
            : -1;
        var invoke = CompileInvoke(method, parameters, returnKind);
        return oneWay
            ? new OneWayMethodInvoker(name, invoke, returnKind, cancellationTokenIndex)
            : (GrainMethodInvoker)Activator.CreateInstance(
                typeof(RequestMethodInvoker<>).MakeGenericType(resultType ?? typeof(object)),
                name,
                invoke,
                returnKind,
                cancellationTokenIndex)!;
    }

    protected CancellationToken GetCancellationToken(object?[] arguments) =>
        cancellationTokenIndex < 0 ? CancellationToken.None : (CancellationToken)arguments[cancellationTokenIndex]!;

    private static (GrainMethodReturnKind Kind, Type? ResultType)? Classify(Type returnType)
    {
        if (returnType == typeof(Task))
        {
            return (GrainMethodReturnKind.Task, null);
        }

        if (returnType == typeof(ValueTask))
        {
            return (GrainMethodReturnKind.ValueTask, null);
        }

        if (!returnType.IsGenericType)
        {
            return null;
        }

        var definition = returnType.GetGenericTypeDefinition();
        var resultType = returnType.GetGenericArguments()[0];
        return definition == typeof(Task<>) ? (GrainMethodReturnKind.TaskOfResult, resultType)
            : definition == typeof(ValueTask<>) ? (GrainMethodReturnKind.ValueTaskOfResult, resultType)
            : null;
    }

    /// <summary>Compiles <c>(grain, args) =&gt; ((IFoo)grain).Method((T0)args[0], …)</c>, with ValueTasks turned into Tasks.</summary>
    private static Func<object, object?[], Task> CompileInvoke(
        MethodInfo method, ParameterInfo[] parameters, GrainMethodReturnKind returnKind)
    {
        var grain = Expression.Parameter(typeof(object), "grain");
        var arguments = Expression.Parameter(typeof(object?[]), "arguments");
        Expression call = Expression.Call(
            Expression.Convert(grain, method.DeclaringType!),
            method,
            parameters.Select((parameter, index) => Expression.Convert(
                Expression.ArrayIndex(arguments, Expression.Constant(index)), parameter.ParameterType)));
        if (returnKind is GrainMethodReturnKind.ValueTask or GrainMethodReturnKind.ValueTaskOfResult)
        {
            call = Expression.Call(call, method.ReturnType.GetMethod(nameof(ValueTask.AsTask))!);
        }

        return Expression.Lambda<Func<object, object?[], Task>>(Expression.Convert(call, typeof(Task)), grain, arguments).Compile();
    }
}
