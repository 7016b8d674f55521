using K2.Storage;
using K2.Storage.ClickHouse;
using K2.Storage.Hosting;
using K2.Storage.Writers;
using K2.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Grains.Tests.Support;

/// <summary>The hot store's services (writers, queries) on the shared embedded ClickHouse, in a fresh database.</summary>
internal static class HotStoreServices
{
    /// <summary>
    /// Registers the hot store for <paramref name="database"/>. Batches of one row flush at once, so tests never wait
    /// on a flush interval (which would follow a manual clock).
    /// </summary>
    public static IServiceCollection AddTestHotStore(this IServiceCollection services, EmbeddedClickHouseFixture fixture, string database)
    {
        services.AddSingleton<IClickHouseClient>(fixture.ClickHouse);
        services.AddHotStore();
        services.Configure<HotStoreOptions>(o => o.Database = database);
        services.Configure<BatchedWriterOptions>(o => o.MaxBatchRows = 1);
        return services;
    }
}
