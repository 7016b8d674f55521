using K2.Silo.Tests.Schedules;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace K2.Silo.Tests.Cluster;

/// <summary>
/// The reminder table contract on PostgreSQL: Orleans' own ADO.NET reminder table (Microsoft.Orleans.Reminders.AdoNet),
/// as a cluster-mode silo registers it, over a database that only <see cref="K2.Silo.Cluster.OrleansPostgresSchema"/> prepared.
/// </summary>
public sealed class PostgresReminderTableTests(OrleansPostgres postgres) : ReminderTableContract, IClassFixture<OrleansPostgres>
{
    private ServiceProvider? _services;

    protected override async Task<IReminderTable> CreateTableAsync()
    {
        var connectionString = await postgres.CreateSchemaDatabaseAsync(Ct);
        var services = new ServiceCollection();
        services.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = "k2-test";
            o.ServiceId = "k2-reminders";
        });
        // The provider's table type is internal: the registration a silo gets from UseAdoNetReminderService makes it.
        services.UseAdoNetReminderService(o => o.Configure(options =>
        {
            options.Invariant = OrleansPostgres.Invariant;
            options.ConnectionString = connectionString;
        }));
        _services = services.BuildServiceProvider();
        var table = _services.GetRequiredService<IReminderTable>();
        await table.StartAsync(Ct);
        return table;
    }

    /// <summary>Migration 4's replacement of UpsertReminderRowKey: with migration 3's text the second ETag was the first.</summary>
    [Fact]
    public async Task A_reminder_registered_again_after_its_removal_does_not_get_back_an_earlier_etag()
    {
        var grain = Grain("offload");
        var first = await Table.UpsertRow(Entry(grain, "offload", TimeSpan.FromMinutes(15)), Ct);
        (await Table.RemoveRow(grain, "offload", first!, Ct)).ShouldBeTrue();

        var second = await Table.UpsertRow(Entry(grain, "offload", TimeSpan.FromMinutes(15)), Ct);

        second.ShouldNotBe(first);
        (await Table.RemoveRow(grain, "offload", first!, Ct)).ShouldBeFalse();
        (await Table.ReadRow(grain, "offload", Ct)).ShouldNotBeNull().ETag.ShouldBe(second);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }
}
