using System.Data.Common;
using K2.Core;
using K2.Storage.Iceberg.Catalog;
using K2.Testing;

namespace K2.Storage.Tests.Iceberg.Catalog;

/// <summary>What the SQL catalog, the offload state and the schedule leases must do on every database K2 supports, run once per database.</summary>
public abstract class SqlCatalogContractTests
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly TableIdentifier Silver = new("cold", "silver_trades");

    /// <summary>The database under test; its catalog and state tables may already exist (from other tests).</summary>
    protected abstract DbDataSource DataSource { get; }

    /// <summary>A catalog of its own for each test, so tests sharing a database do not see each other's tables.</summary>
    private async Task<SqlCatalog> NewCatalogAsync()
    {
        var catalog = new SqlCatalog(DataSource, $"k2_{Guid.NewGuid():N}");
        await catalog.CreateTablesAsync(Ct);
        await catalog.CreateTablesAsync(Ct); // idempotent
        await catalog.CreateNamespaceAsync("cold", Ct);
        return catalog;
    }

    [Fact]
    public async Task A_registered_table_loads_its_metadata_location_and_is_listed_in_its_namespace()
    {
        var catalog = await NewCatalogAsync();
        await catalog.CreateNamespaceAsync("cold", Ct);

        await catalog.RegisterTableAsync(Silver, "file:///wh/cold/silver_trades/metadata/v1.metadata.json", Ct);
        await catalog.RegisterTableAsync(new TableIdentifier("cold", "bronze_trades_binance"), "file:///wh/b/metadata/v1.metadata.json", Ct);

        (await catalog.LoadMetadataLocationAsync(Silver, Ct)).ShouldBe("file:///wh/cold/silver_trades/metadata/v1.metadata.json");
        (await catalog.LoadMetadataLocationAsync(new TableIdentifier("cold", "nope"), Ct)).ShouldBeNull();
        (await catalog.ListTablesAsync("cold", Ct)).ShouldBe([new TableIdentifier("cold", "bronze_trades_binance"), Silver]);
        (await catalog.ListNamespacesAsync(Ct)).ShouldBe(["cold"]);
        (await new SqlCatalog(DataSource, $"other_{Guid.NewGuid():N}").ListTablesAsync("cold", Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Registering_twice_or_into_a_missing_namespace_is_refused()
    {
        var catalog = await NewCatalogAsync();
        await catalog.RegisterTableAsync(Silver, "v1.metadata.json", Ct);

        (await Should.ThrowAsync<IcebergCatalogException>(() => catalog.RegisterTableAsync(Silver, "other.metadata.json", Ct)))
            .Message.ShouldContain("cold.silver_trades is already registered");
        (await Should.ThrowAsync<IcebergCatalogException>(() => catalog.RegisterTableAsync(new TableIdentifier("warm", "t"), "v1.metadata.json", Ct)))
            .Message.ShouldContain("Namespace 'warm' does not exist");
        (await catalog.LoadMetadataLocationAsync(Silver, Ct)).ShouldBe("v1.metadata.json");
    }

    [Fact]
    public async Task A_commit_from_the_current_location_moves_the_pointer_and_one_from_a_stale_location_conflicts()
    {
        var catalog = await NewCatalogAsync();
        await catalog.RegisterTableAsync(Silver, "v1.metadata.json", Ct);

        (await catalog.CommitAsync(Silver, "v1.metadata.json", "v2.metadata.json", Ct)).ShouldBe(CatalogCommitResult.Committed);
        (await catalog.CommitAsync(Silver, "v1.metadata.json", "v2b.metadata.json", Ct)).ShouldBe(CatalogCommitResult.Conflict);
        (await catalog.CommitAsync(new TableIdentifier("cold", "missing"), "v1.metadata.json", "v2.metadata.json", Ct)).ShouldBe(CatalogCommitResult.Conflict);

        (await catalog.LoadMetadataLocationAsync(Silver, Ct)).ShouldBe("v2.metadata.json");
        var previous = await QueryScalarAsync(
            "SELECT previous_metadata_location FROM iceberg_tables WHERE catalog_name = @c AND table_name = 'silver_trades'", catalog.Name);
        previous.ShouldBe("v1.metadata.json");
    }

    [Fact]
    public async Task Of_concurrent_commits_from_the_same_location_exactly_one_wins()
    {
        var catalog = await NewCatalogAsync();
        await catalog.RegisterTableAsync(Silver, "v1.metadata.json", Ct);
        using var start = new ManualResetEventSlim();

        for (var round = 1; round <= 10; round++)
        {
            var current = $"v{round}.metadata.json";
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                start.Wait(Ct);
                return (Writer: w, Result: await catalog.CommitAsync(Silver, current, $"v{round + 1}-writer{w}.metadata.json", Ct));
            }, Ct)).ToList();
            start.Set();
            var results = await Task.WhenAll(writers);
            start.Reset();

            var winners = results.Where(r => r.Result == CatalogCommitResult.Committed).ToList();
            winners.Count.ShouldBe(1, $"round {round}");
            (await catalog.LoadMetadataLocationAsync(Silver, Ct)).ShouldBe($"v{round + 1}-writer{winners[0].Writer}.metadata.json");
            await catalog.CommitAsync(Silver, $"v{round + 1}-writer{winners[0].Writer}.metadata.json", $"v{round + 1}.metadata.json", Ct);
        }
    }

    [Fact]
    public async Task The_tables_follow_the_JDBC_catalog_layout_so_other_engines_can_share_them()
    {
        var catalog = await NewCatalogAsync();
        await catalog.RegisterTableAsync(Silver, "v1.metadata.json", Ct);

        (await QueryScalarAsync(
            "SELECT table_namespace || '|' || table_name || '|' || metadata_location || '|' || iceberg_type FROM iceberg_tables WHERE catalog_name = @c", catalog.Name))
            .ShouldBe("cold|silver_trades|v1.metadata.json|TABLE");
        (await QueryScalarAsync(
            "SELECT namespace || '|' || property_key || '|' || property_value FROM iceberg_namespace_properties WHERE catalog_name = @c", catalog.Name))
            .ShouldBe("cold|exists|true");
    }

    [Fact]
    public async Task A_watermark_is_saved_replaced_and_loaded_exactly()
    {
        await NewCatalogAsync();
        var state = new OffloadStateStore(DataSource);
        var table = $"cold.t_{Guid.NewGuid():N}";

        (await state.LoadWatermarkAsync(table, Ct)).ShouldBeNull();
        await state.SaveWatermarkAsync(new OffloadWatermark(table, new UnixMicros(1_700_000_000_123_456), "binance|BTCUSDT|1", 42, new UnixMicros(5)), Ct);
        var replacement = new OffloadWatermark(table, new UnixMicros(1_700_000_900_000_001), "kraken|XBT/USD|77", long.MaxValue, new UnixMicros(6));
        await state.SaveWatermarkAsync(replacement, Ct);

        (await state.LoadWatermarkAsync(table, Ct)).ShouldBe(replacement);
    }

    [Fact]
    public async Task Runs_and_audits_are_logged_and_read_back_newest_first()
    {
        await NewCatalogAsync();
        var state = new OffloadStateStore(DataSource);
        var table = $"cold.t_{Guid.NewGuid():N}";
        var ok = new OffloadRun(Guid.NewGuid(), table, new UnixMicros(1_000), new UnixMicros(2_500), 1_000_000, 12_345_678, 3, TimeSpan.FromMilliseconds(1_500), "succeeded", null);
        var failed = ok with { RunId = Guid.NewGuid(), StartedAt = new UnixMicros(3_000), Rows = 0, Outcome = "failed", Error = "upload refused: 'quota'" };
        var audit = new MaintenanceAudit(Guid.NewGuid(), table, "audit", 10, 9, new UnixMicros(0), new UnixMicros(86_400_000_000), "mismatch", new UnixMicros(7));
        var expire = new MaintenanceAudit(Guid.NewGuid(), table, "expire", null, null, null, null, "succeeded", new UnixMicros(8));

        await state.RecordRunAsync(ok, Ct);
        await state.RecordRunAsync(failed, Ct);
        await state.RecordAuditAsync(audit, Ct);
        await state.RecordAuditAsync(expire, Ct);

        (await state.RecentRunsAsync(table, 10, Ct)).ShouldBe([failed, ok]);
        (await state.RecentRunsAsync(table, 1, Ct)).ShouldBe([failed]);
        (await state.RecentAuditsAsync(table, 10, Ct)).ShouldBe([expire, audit]);
    }

    [Fact]
    public async Task The_newest_record_of_each_maintenance_task_is_read_per_table_in_the_order_asked()
    {
        await NewCatalogAsync();
        var state = new OffloadStateStore(DataSource);
        var table = $"cold.t_{Guid.NewGuid():N}";
        var other = $"cold.t_{Guid.NewGuid():N}";
        MaintenanceAudit Record(string t, string task, string outcome, long at) => new(Guid.NewGuid(), t, task, null, null, null, null, outcome, new UnixMicros(at));
        var oldCompact = Record(table, "compact", "failed", 100);
        var compact = Record(table, "compact", "ok", 200);
        var audit = new MaintenanceAudit(Guid.NewGuid(), table, "audit", 10, 9, new UnixMicros(0), new UnixMicros(86_400_000_000), "mismatch", new UnixMicros(150));
        var otherExpire = Record(other, "expire", "ok", 300);
        foreach (var record in new[] { compact, otherExpire, audit, oldCompact })
        {
            await state.RecordAuditAsync(record, Ct);
        }

        (await state.LatestAuditPerTaskAsync(table, ["compact", "expire", "orphans", "audit"], Ct)).ShouldBe([compact, audit]);
        (await state.LatestAuditPerTaskAsync(table, ["audit", "compact"], Ct)).ShouldBe([audit, compact]);
        (await state.LatestAuditPerTaskAsync(other, ["compact", "expire"], Ct)).ShouldBe([otherExpire]);
        (await state.LatestAuditPerTaskAsync(table, [], Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task The_latest_run_start_and_maintenance_record_are_read_across_tables()
    {
        await NewCatalogAsync();
        var state = new OffloadStateStore(DataSource);
        // Later than anything the other tests record, which may share this database.
        var latest = UnixMicros.FromDateTimeOffset(new DateTimeOffset(2026, 11, 22, 10, 15, 0, 123, TimeSpan.Zero));
        var run = new OffloadRun(Guid.NewGuid(), $"cold.t_{Guid.NewGuid():N}", latest, new UnixMicros(latest.Value + 900), 0, 0, 0, TimeSpan.Zero, "empty", null);
        var audit = new MaintenanceAudit(Guid.NewGuid(), $"cold.t_{Guid.NewGuid():N}", "expire", null, null, null, null, "ok", latest);

        await state.RecordRunAsync(run with { RunId = Guid.NewGuid(), StartedAt = new UnixMicros(latest.Value - 60_000_000) }, Ct);
        await state.RecordRunAsync(run, Ct);
        await state.RecordAuditAsync(audit, Ct);
        await state.RecordAuditAsync(audit with { AuditId = Guid.NewGuid(), Table = run.Table, At = new UnixMicros(latest.Value - 1) }, Ct);

        (await state.LatestRunStartAsync(Ct)).ShouldBe(latest);
        (await state.LatestAuditAtAsync(Ct)).ShouldBe(latest);
    }

    [Fact]
    public async Task A_free_lease_is_taken_and_a_second_holder_is_refused_while_it_lasts()
    {
        await NewCatalogAsync();
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 0, 15, 0, TimeSpan.Zero));
        var leases = new ScheduleLeases(DataSource, clock);
        var schedule = $"offload_{Guid.NewGuid():N}";
        var until = UnixMicros.FromDateTimeOffset(new DateTimeOffset(2026, 11, 22, 0, 16, 0, TimeSpan.Zero));

        (await leases.ReadAsync(schedule, Ct)).ShouldBeNull();
        (await leases.TryAcquireAsync(schedule, "silo-a/run-1", TimeSpan.FromMinutes(1), Ct)).ShouldBeTrue();
        clock.Advance(TimeSpan.FromSeconds(59.999999));
        (await leases.TryAcquireAsync(schedule, "silo-b/run-2", TimeSpan.FromMinutes(1), Ct)).ShouldBeFalse();
        (await leases.RenewAsync(schedule, "silo-b/run-2", TimeSpan.FromMinutes(1), Ct)).ShouldBeFalse();
        (await leases.ReleaseAsync(schedule, "silo-b/run-2", Ct)).ShouldBeFalse();

        (await leases.ReadAsync(schedule, Ct)).ShouldBe(new ScheduleLease(schedule, "silo-a/run-1", until));
        // Another schedule's lease is a lease of its own.
        (await leases.TryAcquireAsync($"maintenance_{Guid.NewGuid():N}", "silo-b/run-2", TimeSpan.FromMinutes(1), Ct)).ShouldBeTrue();
    }

    [Fact]
    public async Task A_lease_run_out_is_taken_by_another_holder_and_its_old_holder_can_no_longer_renew_or_release_it()
    {
        await NewCatalogAsync();
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 0, 15, 0, TimeSpan.Zero));
        var leases = new ScheduleLeases(DataSource, clock);
        var schedule = $"offload_{Guid.NewGuid():N}";
        await leases.TryAcquireAsync(schedule, "silo-a/run-1", TimeSpan.FromMinutes(1), Ct);

        clock.Advance(TimeSpan.FromMinutes(1));
        (await leases.TryAcquireAsync(schedule, "silo-b/run-2", TimeSpan.FromSeconds(30), Ct)).ShouldBeTrue();

        (await leases.RenewAsync(schedule, "silo-a/run-1", TimeSpan.FromMinutes(1), Ct)).ShouldBeFalse();
        (await leases.ReleaseAsync(schedule, "silo-a/run-1", Ct)).ShouldBeFalse();
        (await leases.ReadAsync(schedule, Ct)).ShouldBe(new ScheduleLease(
            schedule, "silo-b/run-2", UnixMicros.FromDateTimeOffset(new DateTimeOffset(2026, 11, 22, 0, 16, 30, TimeSpan.Zero))));
    }

    [Fact]
    public async Task Renewing_moves_the_end_of_a_lease_and_releasing_frees_it()
    {
        await NewCatalogAsync();
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 0, 15, 0, TimeSpan.Zero));
        var leases = new ScheduleLeases(DataSource, clock);
        var schedule = $"offload_{Guid.NewGuid():N}";
        await leases.TryAcquireAsync(schedule, "silo-a/run-1", TimeSpan.FromMinutes(1), Ct);

        clock.Advance(TimeSpan.FromSeconds(20));
        (await leases.RenewAsync(schedule, "silo-a/run-1", TimeSpan.FromMinutes(1), Ct)).ShouldBeTrue();
        (await leases.ReadAsync(schedule, Ct))!.ExpiresAt.ShouldBe(UnixMicros.FromDateTimeOffset(new DateTimeOffset(2026, 11, 22, 0, 16, 20, TimeSpan.Zero)));
        // Past the first end, the renewed lease still holds.
        clock.Advance(TimeSpan.FromSeconds(50));
        (await leases.TryAcquireAsync(schedule, "silo-b/run-2", TimeSpan.FromMinutes(1), Ct)).ShouldBeFalse();
        // Run out but taken by nobody, it is still its holder's to renew: nobody else can have worked meanwhile.
        clock.Advance(TimeSpan.FromMinutes(5));
        (await leases.RenewAsync(schedule, "silo-a/run-1", TimeSpan.FromMinutes(1), Ct)).ShouldBeTrue();
        (await leases.ReadAsync(schedule, Ct))!.ExpiresAt.ShouldBe(UnixMicros.FromDateTimeOffset(new DateTimeOffset(2026, 11, 22, 0, 22, 10, TimeSpan.Zero)));

        (await leases.ReleaseAsync(schedule, "silo-a/run-1", Ct)).ShouldBeTrue();
        (await leases.ReadAsync(schedule, Ct)).ShouldBeNull();
        (await leases.RenewAsync(schedule, "silo-a/run-1", TimeSpan.FromMinutes(1), Ct)).ShouldBeFalse();
        (await leases.TryAcquireAsync(schedule, "silo-b/run-2", TimeSpan.FromMinutes(1), Ct)).ShouldBeTrue();
        (await leases.ReadAsync(schedule, Ct))!.Holder.ShouldBe("silo-b/run-2");
    }

    [Fact]
    public async Task Of_concurrent_holders_of_a_free_lease_exactly_one_gets_it()
    {
        await NewCatalogAsync();
        var leases = new ScheduleLeases(DataSource, new ManualTimeProvider());
        using var start = new ManualResetEventSlim();

        for (var round = 1; round <= 10; round++)
        {
            var schedule = $"offload_{Guid.NewGuid():N}";
            var holders = Enumerable.Range(0, 4).Select(h => Task.Run(async () =>
            {
                start.Wait(Ct);
                return (Holder: $"run-{h}", Got: await leases.TryAcquireAsync(schedule, $"run-{h}", TimeSpan.FromMinutes(1), Ct));
            }, Ct)).ToList();
            start.Set();
            var results = await Task.WhenAll(holders);
            start.Reset();

            var winners = results.Where(r => r.Got).ToList();
            winners.Count.ShouldBe(1, $"round {round}");
            (await leases.ReadAsync(schedule, Ct))!.Holder.ShouldBe(winners[0].Holder);
        }
    }

    private async Task<string?> QueryScalarAsync(string sql, string catalogName)
    {
        await using var connection = await DataSource.OpenConnectionAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "c";
        parameter.Value = catalogName;
        command.Parameters.Add(parameter);
        return (string?)await command.ExecuteScalarAsync(Ct);
    }
}
