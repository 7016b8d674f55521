using K2.Grains.Runtime;
using K2.Grains.Tests.Runtime.TestGrains;
using K2.Testing.Grains;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace K2.Grains.Tests.Runtime;

public sealed class GrainRegistrationTests
{
    [Fact]
    public async Task GetGrain_rejects_an_interface_with_a_method_that_does_not_return_a_task()
    {
        await using var host = await GrainTestHost.StartAsync(
            grains => grains.AddGrain<ISynchronousGrain, SynchronousGrain>(), cancellationToken: TestContext.Current.CancellationToken);

        var rejected = Should.Throw<NotSupportedException>(() => host.GrainFactory.GetGrain<ISynchronousGrain>("a"));

        rejected.Message.ShouldBe(
            "Grain method ISynchronousGrain.Count returns Int32; grain methods return Task, Task<T>, ValueTask or ValueTask<T>.");
    }

    [Fact]
    public async Task GetGrain_rejects_a_one_way_method_that_returns_a_value()
    {
        await using var host = await GrainTestHost.StartAsync(
            grains => grains.AddGrain<IOneWayResultGrain, OneWayResultGrain>(), cancellationToken: TestContext.Current.CancellationToken);

        var rejected = Should.Throw<NotSupportedException>(() => host.GrainFactory.GetGrain<IOneWayResultGrain>("a"));

        rejected.Message.ShouldBe(
            "One-way grain method IOneWayResultGrain.CountAsync returns a value; one-way methods return Task or ValueTask.");
    }

    [Fact]
    public async Task GetGrain_of_an_unregistered_interface_says_how_to_register_it()
    {
        await using var host = await ProbeHost.StartAsync(new GrainProbe());

        var rejected = Should.Throw<InvalidOperationException>(() => host.GrainFactory.GetGrain<ISynchronousGrain>("a"));

        rejected.Message.ShouldContain("AddGrain<ISynchronousGrain, TGrain>()");
    }

    [Fact]
    public void AddGrains_calls_share_one_runtime_and_an_interface_is_registered_once()
    {
        var services = new ServiceCollection();
        services.AddGrains(grains => grains.AddGrain<IProbeGrain, ProbeGrain>());
        services.AddGrains(grains => grains.AddGrain<IKeepAliveGrain, KeepAliveGrain>());

        services.Count(descriptor => descriptor.ServiceType == typeof(IGrainFactory)).ShouldBe(1);
        Should.Throw<InvalidOperationException>(() => services.AddGrains(grains => grains.AddGrain<IProbeGrain, ProbeGrain>()))
            .Message.ShouldBe("IProbeGrain is already implemented by ProbeGrain.");
    }

    [Fact]
    public void Options_are_bound_from_K2_Grains_and_validated()
    {
        using var valid = BuildProvider(new() { ["K2:Grains:MailboxCapacity"] = "8", ["K2:Grains:IdleTimeout"] = "00:05:00" });
        var options = valid.GetRequiredService<IOptions<GrainRuntimeOptions>>().Value;
        options.MailboxCapacity.ShouldBe(8);
        options.IdleTimeout.ShouldBe(TimeSpan.FromMinutes(5));
        options.ShutdownTimeout.ShouldBe(TimeSpan.FromSeconds(30));

        using var invalid = BuildProvider(new() { ["K2:Grains:MailboxCapacity"] = "0" });
        Should.Throw<OptionsValidationException>(() => invalid.GetRequiredService<IOptions<GrainRuntimeOptions>>().Value)
            .Message.ShouldBe("K2:Grains:MailboxCapacity must be at least 1.");
    }

    private static ServiceProvider BuildProvider(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddGrains(grains => grains.AddGrain<IProbeGrain, ProbeGrain>());
        return services.BuildServiceProvider();
    }
}
