using K2.Core.Candles;
using K2.Storage.History;
using K2.Storage.Hosting;
using K2.Storage.Writers;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Storage.Tests.Hosting;

/// <summary>Which hot store keeps candle pages: only the embedded engine, where this process is the one writer.</summary>
public sealed class HotStoreRegistrationTests
{
    [Fact]
    public void On_the_embedded_engine_the_candle_writer_reports_its_landings_to_the_kept_hot_pages()
    {
        using var provider = new ServiceCollection().AddEmbeddedHotStore().BuildServiceProvider();

        provider.GetRequiredService<ILandedRowsObserver<Candle>>().ShouldBeSameAs(provider.GetRequiredService<HotCandlePages>());
    }

    [Fact]
    public void On_a_ClickHouse_server_shared_with_other_writers_no_hot_page_is_kept()
    {
        using var provider = new ServiceCollection().AddServerHotStore().BuildServiceProvider();

        provider.GetService<HotCandlePages>().ShouldBeNull();
        provider.GetService<ILandedRowsObserver<Candle>>().ShouldBeNull();
    }
}
