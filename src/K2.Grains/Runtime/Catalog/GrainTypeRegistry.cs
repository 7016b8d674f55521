namespace K2.Grains.Runtime;

/// <summary>The grain types registered with <see cref="GrainServiceCollectionExtensions.AddGrains"/>.</summary>
internal sealed class GrainTypeRegistry(GrainRegistrationBuilder builder)
{
    private readonly Dictionary<Type, GrainTypeRegistration> _byInterface =
        builder.Registrations.ToDictionary(registration => registration.InterfaceType);

    public IReadOnlyCollection<GrainTypeRegistration> All => _byInterface.Values;

    public GrainTypeRegistration GetByInterface(Type interfaceType) =>
        _byInterface.TryGetValue(interfaceType, out var registration)
            ? registration
            : throw new InvalidOperationException(
                $"No grain class is registered for {interfaceType.Name}; register one with AddGrains(grains => grains.AddGrain<{interfaceType.Name}, TGrain>()).");
}
