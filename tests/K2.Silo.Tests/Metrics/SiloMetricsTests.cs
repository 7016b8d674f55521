using K2.Core;
using K2.Silo.Tests.Commands;
using K2.Testing;

namespace K2.Silo.Tests.Metrics;

/// <summary>
/// <c>/metrics</c> of a running silo: K2's, ASP.NET Core's, the runtime's and the kept Orleans instruments, with the
/// values the simulator's ground truth determines, and nothing Prometheus' own linter objects to.
/// </summary>
[Collection(EmbeddedStoreCommands.Name)]
public sealed partial class SiloMetricsTests(MetricsSilo silo) : IClassFixture<MetricsSilo>
{
    /// <summary>The Orleans families <c>OrleansMetricStreams</c> keeps; whichever have had a measurement appear.</summary>
    private static readonly string[] OrleansFamilies =
    [
        "orleans_grains", "orleans_catalog_activations", "orleans_catalog_activation_failed_to_activate_total",
        "orleans_gateway_connected_clients", "orleans_client_connected_gateways", "orleans_messaging_rejected_total",
        "orleans_messaging_expired_total", "orleans_messaging_sent_dropped_total", "orleans_messaging_sent_failed_total",
        "orleans_messaging_pings_reply_missed_total", "orleans_app_requests_timedout_total", "orleans_app_requests_canceled_total",
        "orleans_scheduler_long_running_turns_total", "orleans_watchdog_health_checks_failed_total", "orleans_reminders_active",
        "orleans_reminders_ticks_delivered_total",
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_printed_trade_is_counted_once_as_received_normalized_and_inserted()
    {
        silo.Printed.ShouldBeGreaterThan(100, "the simulator printed too few trades to tell anything");
        var scrape = await ScrapeWhenAsync(
            s => new[] { "silver_trades", "bronze_trades_binance" }.All(t => s.Find("k2_insert_rows_total", ("table", t)).Sum(x => x.Value) == silo.Printed), "the printed trades were not all inserted");

        scrape.Types["k2_trades_received_total"].ShouldBe("counter");
        scrape.Value("k2_trades_received_total", ("exchange", "binance")).ShouldBe(silo.Printed);
        scrape.Value("k2_trades_normalized_total", ("exchange", "binance")).ShouldBe(silo.Printed);
        scrape.Value("k2_insert_rows_total", ("table", "silver_trades")).ShouldBe(silo.Printed);
        scrape.Value("k2_insert_rows_total", ("table", "bronze_trades_binance")).ShouldBe(silo.Printed);
        scrape.Find("k2_trades_duplicates_total").ShouldBeEmpty();
        scrape.Find("k2_trades_rejected_total").ShouldBeEmpty();
        scrape.Value("k2_gaps_open", ("exchange", "binance")).ShouldBe(0);
        scrape.Value("k2_exchange_connections", ("exchange", "binance")).ShouldBe(silo.Simulator.Sessions.Count(s => s.Exchange == Exchange.Binance));
        scrape.Value("k2_cluster_silos").ShouldBe(1);

        // Every trade's receipt-to-stored time, and per instrument the exchange time of the newest trade stored.
        scrape.Types["k2_ingest_latency_seconds"].ShouldBe("histogram");
        scrape.Value("k2_ingest_latency_seconds_count", ("exchange", "binance")).ShouldBe(silo.Printed);
        var newest = silo.Simulator.GroundTruth.All.Where(t => t.Exchange == Exchange.Binance)
            .GroupBy(t => t.ExchangeSymbol).ToDictionary(g => g.Key, g => g.Max(t => t.TradeTime.Value) / 1e6);
        var exported = scrape.Find("k2_instrument_last_trade_seconds", ("exchange", "binance"))
            .ToDictionary(s => MetricsSilo.Registry.ForExchange(Exchange.Binance).Single(i => i.Symbol == s.Labels["symbol"]).ExchangeSymbol, s => s.Value);
        exported.OrderBy(p => p.Key, StringComparer.Ordinal).ShouldBe(newest.OrderBy(p => p.Key, StringComparer.Ordinal));

        // Insert durations in seconds, with buckets fit for seconds.
        scrape.Types["k2_insert_flush_duration_seconds"].ShouldBe("histogram");
        scrape.Find("k2_insert_flush_duration_seconds_bucket", ("table", "silver_trades"), ("le", "0.001")).ShouldHaveSingleItem();
        scrape.Find("k2_insert_flush_duration_seconds_bucket", ("table", "silver_trades"), ("le", "+Inf")).Single().Value
            .ShouldBe(scrape.Value("k2_insert_flush_duration_seconds_count", ("table", "silver_trades")));
    }

    [Fact]
    public async Task The_scrape_passes_promtool_check_metrics()
    {
        var text = await silo.ScrapeAsync(Ct);

        var result = await Promtool.CheckMetricsAsync(text, Ct);

        (result.Output + result.Errors).ShouldBeEmpty();
        result.ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task Orleans_runtime_and_http_families_are_the_curated_ones_each_with_help()
    {
        using var instruments = await silo.Http.GetAsync("/v1/instruments", Ct);
        // Instrument grains activate as their first trades arrive, each in its own time: wait until all have.
        var binanceInstruments = MetricsSilo.Registry.ForExchange(Exchange.Binance).Count;
        var scrape = await ScrapeWhenAsync(
            s => s.Find("http_server_request_duration_seconds_count", ("http_route", "/v1/instruments/")).Any()
                 && s.Find("orleans_grains", ("grain_type", "instrument")).Sum(x => x.Value) == binanceInstruments,
            "the API request was not measured, or not every Binance instrument grain is active");

        scrape.Value("http_server_request_duration_seconds_count",
            ("http_request_method", "GET"), ("http_response_status_code", "200"), ("http_route", "/v1/instruments/"),
            ("network_protocol_version", "1.1"), ("url_scheme", "http")).ShouldBe(1);
        scrape.Types.Keys.Where(f => f.StartsWith("orleans_", StringComparison.Ordinal)).ShouldBeSubsetOf(OrleansFamilies);
        scrape.Types["orleans_grains"].ShouldBe("gauge");
        scrape.Value("orleans_grains", ("grain_type", "exchange")).ShouldBe(1);
        scrape.Value("orleans_grains", ("grain_type", "instrument")).ShouldBe(binanceInstruments);
        scrape.Types["dotnet_timers"].ShouldBe("gauge");
        scrape.Types["dotnet_process_cpu_time_seconds_total"].ShouldBe("counter");
        scrape.Find("dotnet_process_cpu_time_seconds_total").Select(x => x.Labels["cpu_mode"]).Order(StringComparer.Ordinal).ShouldBe(["system", "user"]);
        scrape.Types["dotnet_gc_last_collection_heap_size_bytes"].ShouldBe("gauge");
        scrape.Find("dotnet_gc_last_collection_heap_size_bytes").Select(x => x.Labels.Keys.Single()).Distinct().ShouldBe(["gc_heap_generation"]);
        scrape.Types.Keys.ShouldNotContain("dotnet_timer_count");
        scrape.Value("target_info", ("service_name", "k2-silo"), ("service_instance_id", scrape.Find("target_info").Single().Labels["service_instance_id"]),
            ("telemetry_sdk_language", "dotnet"), ("telemetry_sdk_name", "opentelemetry"),
            ("telemetry_sdk_version", scrape.Find("target_info").Single().Labels["telemetry_sdk_version"])).ShouldBe(1);
        scrape.Types.Keys.Where(f => !scrape.Helps.ContainsKey(f)).ShouldBeEmpty();
    }

    private async Task<PrometheusText> ScrapeWhenAsync(Func<PrometheusText, bool> condition, string failure)
    {
        PrometheusText? last = null;
        await Eventually.TrueAsync(async ct => condition(last = PrometheusText.Parse(await silo.ScrapeAsync(ct))), TimeSpan.FromSeconds(30), failure, Ct);
        return last!;
    }
}
