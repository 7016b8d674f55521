namespace K2.Grains.Runtime;

/// <summary>Collects the grain types passed to <see cref="GrainServiceCollectionExtensions.AddGrains"/>.</summary>
public sealed class GrainRegistrationBuilder
{
    private readonly List<GrainTypeRegistration> _registrations = [];

    internal GrainRegistrationBuilder()
    {
    }

    internal IReadOnlyList<GrainTypeRegistration> Registrations => _registrations;

    public GrainRegistrationBuilder AddGrain<TGrainInterface, TGrain>()
        where TGrainInterface : IGrainWithStringKey
        where TGrain : Grain, TGrainInterface
    {
        if (!typeof(TGrainInterface).IsInterface)
        {
            throw new ArgumentException($"{typeof(TGrainInterface).Name} is not an interface; grains are called through their interface.");
        }

        if (typeof(TGrain).IsAbstract)
        {
            throw new ArgumentException($"{typeof(TGrain).Name} is abstract; the runtime cannot construct it.");
        }

        var registration = new GrainTypeRegistration(typeof(TGrainInterface), typeof(TGrain));
        foreach (var existing in _registrations)
        {
            if (existing.InterfaceType == registration.InterfaceType)
            {
                throw new InvalidOperationException(
                    $"{registration.InterfaceType.Name} is already implemented by {existing.GrainClass.Name}.");
            }

            if (existing.Name == registration.Name)
            {
                throw new InvalidOperationException(
                    $"{registration.GrainClass.Name} and {existing.GrainClass.Name} would share the grain type name '{registration.Name}'.");
            }
        }

        _registrations.Add(registration);
        return this;
    }
}
