using System.Text;
using K2.Storage.ClickHouse;
using K2.Storage.ObjectStores;
using K2.Storage.Tests.Support;

namespace K2.Storage.Tests.ObjectStores;

/// <summary>
/// What every <see cref="IObjectStore"/> must do, run on each store against the real thing (a directory, s3rver), plus
/// the counterpart check that ClickHouse reads an object at the location the store reports.
/// </summary>
public abstract class ObjectStoreContractTests
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A store with nothing in it, private to the running test.</summary>
    protected abstract IObjectStore Store { get; }

    /// <summary>The SQL table function by which ClickHouse reads a CSV object at <paramref name="location"/>.</summary>
    protected abstract string CsvTableFunction(string location, string structure);

    protected abstract IClickHouseClient ClickHouse { get; }

    /// <summary>
    /// A store on the same server that refuses to overwrite on a create-only put (<see cref="IObjectStore.EnforcesCreateOnly"/>),
    /// for the create-only tests: <see cref="Store"/> unless the server under test needs help to honour it.
    /// </summary>
    protected virtual Task<IObjectStore> CreateOnlyStoreAsync() => Task.FromResult(Store);

    public static TheoryData<int> Sizes => new() { 0, 1, 256, 20 * 1024 * 1024 };

    protected static byte[] Bytes(int size, int seed = 1)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        if (size == 256)
        {
            for (var i = 0; i < 256; i++)
            {
                bytes[i] = (byte)i; // every byte value once
            }
        }

        return bytes;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task Bytes_put_are_read_back_exactly(int size)
    {
        var content = Bytes(size);

        await Store.PutAsync("cold/t/data/file.bin", content, Ct);

        ShouldBeBytes(await Store.GetAsync("cold/t/data/file.bin", Ct), content);
        await using var stream = (await Store.OpenReadAsync("cold/t/data/file.bin", Ct))!;
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        ShouldBeBytes(copy.ToArray(), content);
        (await Store.HeadAsync("cold/t/data/file.bin", Ct))!.Size.ShouldBe(size);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task A_stream_of_known_length_is_stored_exactly(int size)
    {
        var content = Bytes(size, seed: 2);

        await Store.PutAsync("cold/t/data/streamed.bin", new TrickleStream(content), content.Length, Ct);

        ShouldBeBytes(await Store.GetAsync("cold/t/data/streamed.bin", Ct), content);
    }

    [Fact]
    public async Task A_stream_is_read_from_its_current_position()
    {
        var content = Bytes(1_000);
        using var stream = new MemoryStream(content) { Position = 100 };

        await Store.PutAsync("cold/t/tail.bin", stream, 900, Ct);

        (await Store.GetAsync("cold/t/tail.bin", Ct)).ShouldBe(content[100..]);
    }

    [Theory]
    [InlineData(999, "ended")]
    [InlineData(1_001, "longer")]
    public async Task A_stream_that_is_not_its_declared_length_is_refused_and_nothing_is_written(int actual, string problem)
    {
        var error = await Should.ThrowAsync<InvalidDataException>(
            () => Store.PutAsync("cold/t/wrong.bin", new TrickleStream(Bytes(actual)), 1_000, Ct));

        error.Message.ShouldContain("cold/t/wrong.bin");
        error.Message.ShouldContain(problem);
        (await Store.HeadAsync("cold/t/wrong.bin", Ct)).ShouldBeNull();
        (await ListAsync("")).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_put_replaces_the_object()
    {
        await Store.PutAsync("cold/t/metadata/version-hint.text", "1"u8.ToArray(), Ct);

        await Store.PutAsync("cold/t/metadata/version-hint.text", "22"u8.ToArray(), Ct);

        (await Store.GetAsync("cold/t/metadata/version-hint.text", Ct)).ShouldBe("22"u8.ToArray());
    }

    [Fact]
    public async Task Put_if_absent_creates_once_and_then_refuses_without_writing()
    {
        const string key = "cold/t/metadata/00001-a.metadata.json";
        var store = await CreateOnlyStoreAsync();
        store.EnforcesCreateOnly.ShouldBeTrue();

        var first = await store.PutIfAbsentAsync(key, "first"u8.ToArray(), Ct);
        var second = await store.PutIfAbsentAsync(key, "second"u8.ToArray(), Ct);

        first.ShouldBeTrue();
        second.ShouldBeFalse();
        (await store.GetAsync(key, Ct)).ShouldBe("first"u8.ToArray());
    }

    [Fact]
    public async Task Of_concurrent_puts_if_absent_of_one_key_exactly_one_wins()
    {
        const string key = "cold/t/metadata/00002-b.metadata.json";
        var contents = Enumerable.Range(0, 16).Select(i => Encoding.ASCII.GetBytes($"writer {i}")).ToArray();
        var store = await CreateOnlyStoreAsync();
        store.EnforcesCreateOnly.ShouldBeTrue();

        var created = await Task.WhenAll(contents.Select(c => Task.Run(() => store.PutIfAbsentAsync(key, c, Ct), Ct)));

        created.Count(c => c).ShouldBe(1);
        (await store.GetAsync(key, Ct)).ShouldBe(contents[Array.IndexOf(created, true)]);
    }

    [Fact]
    public async Task A_missing_object_reads_as_null()
    {
        await Store.PutAsync("cold/t/present.bin", "x"u8.ToArray(), Ct);

        (await Store.GetAsync("cold/t/absent.bin", Ct)).ShouldBeNull();
        (await Store.OpenReadAsync("cold/t/absent.bin", Ct)).ShouldBeNull();
        (await Store.HeadAsync("cold/t/absent.bin", Ct)).ShouldBeNull();
        (await Store.GetAsync("cold/nowhere/absent.bin", Ct)).ShouldBeNull();
        (await Store.HeadAsync("cold/nowhere/absent.bin", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Head_gives_the_size_and_a_recent_last_modified_time()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-2); // S3 has second precision
        await Store.PutAsync("cold/t/sized.bin", Bytes(12_345), Ct);

        var info = (await Store.HeadAsync("cold/t/sized.bin", Ct))!;

        info.Key.ShouldBe("cold/t/sized.bin");
        info.Size.ShouldBe(12_345);
        info.LastModified.ShouldBeInRange(before, DateTimeOffset.UtcNow.AddSeconds(2));
    }

    [Fact]
    public async Task Delete_removes_the_object_and_is_idempotent()
    {
        await Store.PutAsync("cold/t/data/a.parquet", "a"u8.ToArray(), Ct);
        await Store.PutAsync("cold/t/data/b.parquet", "b"u8.ToArray(), Ct);

        await Store.DeleteAsync("cold/t/data/a.parquet", Ct);
        await Store.DeleteAsync("cold/t/data/a.parquet", Ct);
        await Store.DeleteAsync("cold/never/written.parquet", Ct);

        (await Store.HeadAsync("cold/t/data/a.parquet", Ct)).ShouldBeNull();
        (await ListAsync("")).Select(o => o.Key).ShouldBe(["cold/t/data/b.parquet"]);
    }

    [Fact]
    public async Task Listing_finds_nested_objects_by_prefix_in_ordinal_order_with_sizes()
    {
        string[] keys =
        [
            "cold/silver_trades/data/exchange_ts_day=2026-11-22/b.parquet",
            "cold/silver_trades/data/exchange_ts_day=2026-11-22/a.parquet",
            "cold/silver_trades/data/exchange_ts_day=2026-11-23/c.parquet",
            "cold/silver_trades/metadata/v1.metadata.json",
            "cold/silver_trades_x/data/d.parquet",
            "cold/gold_ohlcv_1m/metadata/version-hint.text",
        ];
        for (var i = 0; i < keys.Length; i++)
        {
            await Store.PutAsync(keys[i], Bytes(i + 1), Ct);
        }

        (await ListSizesAsync("cold/silver_trades/data/")).ShouldBe(
        [
            new ObjectKeySize("cold/silver_trades/data/exchange_ts_day=2026-11-22/a.parquet", 2),
            new ObjectKeySize("cold/silver_trades/data/exchange_ts_day=2026-11-22/b.parquet", 1),
            new ObjectKeySize("cold/silver_trades/data/exchange_ts_day=2026-11-23/c.parquet", 3),
        ]);
        (await ListAsync("cold/silver_trades")).Select(o => o.Key).ShouldBe(
            [.. keys.Where(k => k.StartsWith("cold/silver_trades", StringComparison.Ordinal)).Order(StringComparer.Ordinal)]);
        (await ListAsync("cold/silver_trades/data/exchange_ts_day=2026-11-2")).Count.ShouldBe(3);
        (await ListAsync("")).Select(o => o.Key).ShouldBe([.. keys.Order(StringComparer.Ordinal)]);
        (await ListAsync("cold/bronze_trades_kraken/")).ShouldBeEmpty();
        (await ListAsync("cold/silver_trades/metadata/v1.metadata.json")).Select(o => o.Key).ShouldBe([keys[3]]);
    }

    [Fact]
    public async Task Listing_returns_every_object_past_a_thousand()
    {
        var keys = Enumerable.Range(0, 1_234).Select(i => $"cold/t/data/day={i % 3}/{i:D5}.parquet").ToArray();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct },
            async (key, ct) => await Store.PutAsync(key, Encoding.ASCII.GetBytes(key), ct));
        await Store.PutAsync("cold/other/outside.parquet", "x"u8.ToArray(), Ct);

        var listed = await ListAsync("cold/t/");

        listed.Select(o => o.Key).ShouldBe([.. keys.Order(StringComparer.Ordinal)]);
        listed.ShouldAllBe(o => o.Size == o.Key.Length);
    }

    [Fact]
    public async Task Concurrent_puts_of_different_keys_all_land()
    {
        var keys = Enumerable.Range(0, 64).Select(i => $"cold/t/data/p={i % 4}/{Guid.NewGuid()}.parquet").ToArray();

        await Task.WhenAll(keys.Select((k, i) => Task.Run(() => Store.PutAsync(k, Bytes(50_000 + i, seed: i), Ct), Ct)));

        for (var i = 0; i < keys.Length; i++)
        {
            (await Store.GetAsync(keys[i], Ct)).ShouldBe(Bytes(50_000 + i, seed: i));
        }

        (await ListAsync("cold/t/")).Count.ShouldBe(64);
    }

    public static TheoryData<string> InvalidKeys =>
    [
        "", "/cold/t/a.parquet", "cold/../secret", "cold/./a", "..", "cold\\t\\a.parquet", "cold//a", "cold/t/", "cold/t/.hidden",
        "cold/t/a b.parquet", "cold/t/*.parquet", "cold/t/{a,b}.parquet", "cold/t/a?.parquet", "cold/t/100%.parquet", "cold/t/ünï.parquet",
        "cold/t/a\n.parquet",
    ];

    [Theory]
    [MemberData(nameof(InvalidKeys))]
    public async Task Every_operation_refuses_an_invalid_key_naming_it(string key)
    {
        var errors = new List<InvalidObjectKeyException>
        {
            await Should.ThrowAsync<InvalidObjectKeyException>(() => Store.PutAsync(key, "x"u8.ToArray(), Ct)),
            await Should.ThrowAsync<InvalidObjectKeyException>(() => Store.PutAsync(key, new MemoryStream([1]), 1, Ct)),
            await Should.ThrowAsync<InvalidObjectKeyException>(() => Store.PutIfAbsentAsync(key, "x"u8.ToArray(), Ct)),
            await Should.ThrowAsync<InvalidObjectKeyException>(() => Store.GetAsync(key, Ct)),
            await Should.ThrowAsync<InvalidObjectKeyException>(() => Store.OpenReadAsync(key, Ct)),
            await Should.ThrowAsync<InvalidObjectKeyException>(() => Store.HeadAsync(key, Ct)),
            await Should.ThrowAsync<InvalidObjectKeyException>(() => Store.DeleteAsync(key, Ct)),
            Should.Throw<InvalidObjectKeyException>(() => Store.LocationOf(key)),
        };

        errors.ShouldAllBe(e => e.Key == key && e.Message.StartsWith($"Invalid object key '{key}': ", StringComparison.Ordinal));
        (await ListAsync("")).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("/cold")]
    [InlineData("cold/../x")]
    [InlineData("cold//")]
    [InlineData("cold/*")]
    public async Task Listing_refuses_an_invalid_prefix(string prefix) =>
        await Should.ThrowAsync<InvalidObjectKeyException>(() => ListAsync(prefix));

    [Fact]
    public async Task ClickHouse_reads_an_object_at_the_location_the_store_reports()
    {
        await Store.PutAsync("cold/probe/data/rows.csv", "1,alpha\n2,\"be,ta\"\n3,gamma\n"u8.ToArray(), Ct);

        var sql = $"SELECT n, s FROM {CsvTableFunction(Store.LocationOf("cold/probe/data/rows.csv"), "n UInt32, s String")} ORDER BY n";
        var rows = await ClickHouse.QueryRawTextAsync(sql, Ct);

        rows.ShouldBe("1\talpha\n2\tbe,ta\n3\tgamma");
    }

    [Fact]
    public void An_Iceberg_location_leads_back_to_its_key_and_a_location_elsewhere_to_none()
    {
        var location = Store.IcebergLocationOf("cold/t/data/day=2026-11-22/a.parquet");

        Store.KeyOf(location).ShouldBe("cold/t/data/day=2026-11-22/a.parquet");
        Store.KeyOf(Store.IcebergLocationOf("cold")).ShouldBe("cold");
        Store.KeyOf("s3://another-bucket/cold/t/data/a.parquet").ShouldBeNull();
        Store.KeyOf("/elsewhere/cold/t/data/a.parquet").ShouldBeNull();
        Should.Throw<InvalidObjectKeyException>(() => Store.IcebergLocationOf("cold/../x"));
    }

    /// <summary>Compares bytes as spans: Shouldly's element-by-element comparison takes tens of seconds on 20 MB.</summary>
    protected static void ShouldBeBytes(byte[]? actual, byte[] expected)
    {
        actual.ShouldNotBeNull();
        actual.Length.ShouldBe(expected.Length);
        var firstDifference = actual.AsSpan().CommonPrefixLength(expected);
        firstDifference.ShouldBe(expected.Length, "the bytes differ from this offset on");
    }

    protected async Task<List<ObjectInfo>> ListAsync(string prefix)
    {
        var listed = new List<ObjectInfo>();
        await foreach (var info in Store.ListAsync(prefix, Ct))
        {
            listed.Add(info);
        }

        return listed;
    }

    protected sealed record ObjectKeySize(string Key, long Size);

    private async Task<List<ObjectKeySize>> ListSizesAsync(string prefix) =>
        [.. (await ListAsync(prefix)).Select(o => new ObjectKeySize(o.Key, o.Size))];
}
