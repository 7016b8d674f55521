
namespace K2.Silo.Tests.Schedules;

/// <summary>
/// What Orleans' reminder service needs of an <see cref="IReminderTable"/>, for any provider: a subclass supplies a
/// started, empty table (SQLite now; the PostgreSQL provider of a cluster later). Only the contract is tested here:
/// reads by grain hash range <c>(begin, end]</c>, wrapping around the ring; unconditional upserts with a new ETag each;
/// removal only with the current ETag; reads by grain and name; clearing. Times are whole milliseconds, which every
/// provider keeps exactly.
/// </summary>
public abstract class ReminderTableContract : IAsyncLifetime
{
    private static readonly DateTime Start = new(2026, 11, 22, 0, 15, 0, 123, DateTimeKind.Utc);

    private IReminderTable? _table;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected IReminderTable Table => _table ?? throw new InvalidOperationException("The table has not been created.");

    /// <summary>A started table with no rows, on storage of its own.</summary>
    protected abstract Task<IReminderTable> CreateTableAsync();

    public async ValueTask InitializeAsync() => _table = await CreateTableAsync();

    public virtual ValueTask DisposeAsync()
    {
        (_table as IDisposable)?.Dispose();
        return ValueTask.CompletedTask;
    }

    protected static GrainId Grain(string key) => GrainId.Create("schedule", key);

    protected static ReminderEntry Entry(GrainId grain, string name, TimeSpan period) =>
        new() { GrainId = grain, ReminderName = name, StartAt = Start, Period = period, ETag = "ignored on upsert" };

    [Fact]
    public async Task A_missing_row_reads_as_null_and_a_written_one_reads_back_as_written()
    {
        var grain = Grain("offload");
        (await Table.ReadRow(grain, "offload", Ct)).ShouldBeNull();
        (await Table.ReadRows(grain, Ct)).Reminders.ShouldBeEmpty();

        var etag = await Table.UpsertRow(Entry(grain, "offload", TimeSpan.FromMinutes(15)), Ct);

        etag.ShouldNotBeNullOrEmpty();
        var row = (await Table.ReadRow(grain, "offload", Ct)).ShouldNotBeNull();
        row.GrainId.ShouldBe(grain);
        row.ReminderName.ShouldBe("offload");
        row.StartAt.ShouldBe(Start);
        row.StartAt.Kind.ShouldBe(DateTimeKind.Utc);
        row.Period.ShouldBe(TimeSpan.FromMinutes(15));
        row.ETag.ShouldBe(etag);
        (await Table.ReadRow(grain, "maintenance", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task An_upsert_replaces_the_row_whatever_its_etag_and_returns_a_new_one()
    {
        var grain = Grain("offload");
        var first = await Table.UpsertRow(Entry(grain, "offload", TimeSpan.FromMinutes(15)), Ct);
        var replacement = Entry(grain, "offload", TimeSpan.FromMinutes(30));
        replacement.StartAt = Start.AddHours(1);

        var second = await Table.UpsertRow(replacement, Ct);

        second.ShouldNotBeNullOrEmpty();
        second.ShouldNotBe(first);
        var rows = (await Table.ReadRows(grain, Ct)).Reminders;
        rows.Count.ShouldBe(1);
        rows[0].Period.ShouldBe(TimeSpan.FromMinutes(30));
        rows[0].StartAt.ShouldBe(Start.AddHours(1));
        rows[0].ETag.ShouldBe(second);
    }

    [Fact]
    public async Task A_row_is_removed_only_with_its_current_etag()
    {
        var grain = Grain("offload");
        var stale = await Table.UpsertRow(Entry(grain, "offload", TimeSpan.FromMinutes(15)), Ct);
        var current = await Table.UpsertRow(Entry(grain, "offload", TimeSpan.FromMinutes(15)), Ct);

        (await Table.RemoveRow(grain, "offload", stale!, Ct)).ShouldBeFalse();
        (await Table.RemoveRow(grain, "maintenance", current!, Ct)).ShouldBeFalse();
        (await Table.RemoveRow(Grain("other"), "offload", current!, Ct)).ShouldBeFalse();
        (await Table.ReadRow(grain, "offload", Ct)).ShouldNotBeNull().ETag.ShouldBe(current);

        (await Table.RemoveRow(grain, "offload", current!, Ct)).ShouldBeTrue();

        (await Table.ReadRow(grain, "offload", Ct)).ShouldBeNull();
        (await Table.RemoveRow(grain, "offload", current!, Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task Rows_are_read_by_grain_and_by_grain_and_name()
    {
        var a = Grain("a");
        var b = Grain("b");
        await Table.UpsertRow(Entry(a, "offload", TimeSpan.FromMinutes(15)), Ct);
        await Table.UpsertRow(Entry(a, "maintenance", TimeSpan.FromDays(1)), Ct);
        await Table.UpsertRow(Entry(b, "offload", TimeSpan.FromMinutes(5)), Ct);

        (await Table.ReadRows(a, Ct)).Reminders.Select(r => (r.GrainId, r.ReminderName, r.Period)).OrderBy(r => r.ReminderName)
            .ShouldBe([(a, "maintenance", TimeSpan.FromDays(1)), (a, "offload", TimeSpan.FromMinutes(15))]);
        (await Table.ReadRows(b, Ct)).Reminders.Select(r => (r.GrainId, r.ReminderName)).ShouldBe([(b, "offload")]);
        (await Table.ReadRow(b, "offload", Ct)).ShouldNotBeNull().Period.ShouldBe(TimeSpan.FromMinutes(5));
        (await Table.ReadRow(b, "maintenance", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task A_range_holds_the_rows_hashed_above_its_begin_up_to_and_including_its_end()
    {
        var hashes = await WriteRingAsync();

        await ShouldReadAsync(hashes[2], hashes[5], [hashes[3], hashes[4], hashes[5]]);
        await ShouldReadAsync(hashes[2] - 1, hashes[2], [hashes[2]]);
        await ShouldReadAsync(hashes[2], hashes[3] - 1, []);
        await ShouldReadAsync(0, uint.MaxValue, hashes);
        await ShouldReadAsync(hashes[0], hashes[^1], hashes[1..]);
    }

    [Fact]
    public async Task A_range_whose_begin_is_not_below_its_end_wraps_around_the_ring()
    {
        var hashes = await WriteRingAsync();

        await ShouldReadAsync(hashes[8], hashes[2], [.. hashes[9..], hashes[0], hashes[1], hashes[2]]);
        await ShouldReadAsync(uint.MaxValue, hashes[0], [hashes[0]]);
        await ShouldReadAsync(hashes[^1], hashes[0], [hashes[0]]);
        await ShouldReadAsync(hashes[^1] - 1, 0, [hashes[^1]]);
    }

    [Fact]
    public async Task A_range_from_a_point_to_itself_is_the_whole_ring()
    {
        var hashes = await WriteRingAsync();

        await ShouldReadAsync(0, 0, hashes);
        await ShouldReadAsync(hashes[4], hashes[4], hashes);
        await ShouldReadAsync(uint.MaxValue, uint.MaxValue, hashes);
    }

    [Fact]
    public async Task Clearing_removes_every_row()
    {
        await WriteRingAsync();

        await Table.TestOnlyClearTable(Ct);

        (await Table.ReadRows(0, 0, Ct)).Reminders.ShouldBeEmpty();
        (await Table.ReadRow(Grain("ring-0"), "tick", Ct)).ShouldBeNull();
    }

    /// <summary>Writes one reminder for each of 12 grains; returns their uniform hashes in ascending order.</summary>
    private async Task<uint[]> WriteRingAsync()
    {
        var grains = Enumerable.Range(0, 12).Select(i => Grain($"ring-{i}")).ToArray();
        foreach (var grain in grains)
        {
            await Table.UpsertRow(Entry(grain, "tick", TimeSpan.FromMinutes(1)), Ct);
        }

        var hashes = grains.Select(g => g.GetUniformHashCode()).Order().ToArray();
        hashes.Distinct().Count().ShouldBe(12, "two test grains share a hash: pick other keys");
        // Room on both sides of each hash for the ranges the tests build.
        hashes[0].ShouldBeGreaterThan(0u);
        hashes[^1].ShouldBeLessThan(uint.MaxValue);
        return hashes;
    }

    private async Task ShouldReadAsync(uint begin, uint end, uint[] expected)
    {
        var rows = (await Table.ReadRows(begin, end, Ct)).Reminders;
        rows.Select(r => r.GrainId.GetUniformHashCode()).Order().ShouldBe(expected.Order(), $"range ({begin:X8}, {end:X8}]");
    }
}
