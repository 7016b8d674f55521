using K2.Storage.ClickHouse;
using K2.Storage.Iceberg.Commits;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.ObjectStores;
using K2.Testing;

namespace K2.Storage.Tests.ObjectStores;

/// <summary>
/// The contract on S3, against a real s3rver (one per test class; each test gets its own prefix in the bucket), plus
/// what only S3 has: the prefix, the URL for ClickHouse, multipart uploads. s3rver ignores <c>If-None-Match</c>, so
/// the create-only tests run through a proxy that honours it as AWS S3 and MinIO do, and plain s3rver shows the path
/// K2 takes on a server without it (<c>K2:Warehouse:S3:CreateOnlyPuts=false</c>).
/// </summary>
public sealed class S3ObjectStoreTests(S3rverFixture s3rver, EmbeddedClickHouseFixture clickHouse)
    : ObjectStoreContractTests, IClassFixture<S3rverFixture>, IAsyncDisposable
{
    private readonly string _prefix = $"test-{Guid.NewGuid():N}/";
    private readonly List<S3ObjectStore> _stores = [];
    private readonly List<S3FaultProxy> _proxies = [];
    private S3ObjectStore? _store;

    protected override IObjectStore Store => _store ??= NewStore(_prefix);

    protected override IClickHouseClient ClickHouse => clickHouse.ClickHouse;

    protected override string CsvTableFunction(string location, string structure) =>
        $"s3('{location}', '{S3rverFixture.AccessKey}', '{S3rverFixture.SecretKey}', 'CSV', '{structure}')";

    /// <summary>The store on the same prefix through a proxy that refuses a create-only put of an existing key.</summary>
    protected override async Task<IObjectStore> CreateOnlyStoreAsync()
    {
        var proxy = await S3FaultProxy.StartAsync(s3rver.ServiceUrl, honourIfNoneMatch: true, Ct);
        _proxies.Add(proxy);
        return NewStore(_prefix, o => o.ServiceUrl = proxy.Url, enforcesCreateOnly: true);
    }

    public async ValueTask DisposeAsync()
    {
        _stores.ForEach(s => s.Dispose());
        foreach (var proxy in _proxies)
        {
            await proxy.DisposeAsync();
        }
    }

    /// <summary>s3rver ignores If-None-Match on PUT, so unless it is behind a proxy that honours it the store is told not to promise create-only.</summary>
    private S3ObjectStore NewStore(string prefix, Action<S3WarehouseOptions>? configure = null, bool enforcesCreateOnly = false)
    {
        var options = s3rver.Options(prefix);
        configure?.Invoke(options);
        var store = new S3ObjectStore(options, enforcesCreateOnly);
        _stores.Add(store);
        return store;
    }

    [Fact]
    public async Task Without_create_only_puts_each_commit_attempt_writes_a_metadata_file_of_its_own()
    {
        // Plain s3rver overwrites on a create-only put, as any server without conditional writes would ...
        const string key = "cold/t/metadata/00001-a.metadata.json";
        (await Store.PutIfAbsentAsync(key, "first"u8.ToArray(), Ct)).ShouldBeTrue();
        (await Store.PutIfAbsentAsync(key, "second"u8.ToArray(), Ct)).ShouldBeTrue();
        (await Store.GetAsync(key, Ct)).ShouldBe("second"u8.ToArray());

        // ... so a store told so names each attempt's metadata file apart, and two writers of one version keep both.
        Store.EnforcesCreateOnly.ShouldBeFalse();
        var keys = new WarehouseTableKeys(Store, ColdTables.SilverTrades);
        var attempts = new[] { keys.NewMetadataKey(2), keys.NewMetadataKey(2) };
        attempts.Distinct().Count().ShouldBe(2);
        attempts.ShouldAllBe(k => k.StartsWith(keys.MetadataKey(MetadataFileNames.AttemptPrefix(2)), StringComparison.Ordinal));
        for (var i = 0; i < attempts.Length; i++)
        {
            (await Store.PutIfAbsentAsync(attempts[i], new[] { (byte)i }, Ct)).ShouldBeTrue();
        }

        (await keys.MetadataKeysAsync(2, Ct)).Order(StringComparer.Ordinal).ShouldBe(attempts.Order(StringComparer.Ordinal));
        (await Store.GetAsync(attempts[0], Ct)).ShouldBe([(byte)0]);
        (await Store.GetAsync(attempts[1], Ct)).ShouldBe([(byte)1]);
    }

    [Fact]
    public async Task Behind_a_proxy_that_honours_If_None_Match_a_create_only_put_of_an_existing_key_gets_412()
    {
        await using var proxy = await S3FaultProxy.StartAsync(s3rver.ServiceUrl, honourIfNoneMatch: true, Ct);
        var store = NewStore(_prefix, o => o.ServiceUrl = proxy.Url, enforcesCreateOnly: true);

        await store.PutAsync("cold/t/a.parquet", "a"u8.ToArray(), Ct);

        (await store.PutIfAbsentAsync("cold/t/a.parquet", "b"u8.ToArray(), Ct)).ShouldBeFalse();
        (await store.GetAsync("cold/t/a.parquet", Ct)).ShouldBe("a"u8.ToArray());
        await store.PutAsync("cold/t/a.parquet", "c"u8.ToArray(), Ct); // a plain put still replaces
        (await store.GetAsync("cold/t/a.parquet", Ct)).ShouldBe("c"u8.ToArray());
        proxy.Requests.Where(r => r.Method == "PUT").Select(r => r.IfNoneMatch).ShouldBe(["", "*", ""]);
    }

    [Fact]
    public void The_location_is_the_path_style_URL_of_the_object()
    {
        Store.LocationOf("cold/t/data/a.parquet").ShouldBe($"{s3rver.ServiceUrl.ToString().TrimEnd('/')}/{S3rverFixture.Bucket}/{_prefix}cold/t/data/a.parquet");
        NewStore("").LocationOf("cold/a.parquet").ShouldBe($"http://127.0.0.1:{s3rver.ServiceUrl.Port}/{S3rverFixture.Bucket}/cold/a.parquet");
    }

    [Fact]
    public void The_Iceberg_location_is_the_s3_URI_of_the_object_without_the_endpoint()
    {
        Store.IcebergLocationOf("cold/t/data/a.parquet").ShouldBe($"s3://{S3rverFixture.Bucket}/{_prefix}cold/t/data/a.parquet");
        NewStore("").IcebergLocationOf("cold/a.parquet").ShouldBe($"s3://{S3rverFixture.Bucket}/cold/a.parquet");
        Store.KeyOf(Store.LocationOf("cold/a.parquet")).ShouldBeNull("the ClickHouse URL is not an Iceberg location");
    }

    [Fact]
    public async Task Objects_live_under_the_prefix_and_stores_with_other_prefixes_do_not_see_them()
    {
        var other = NewStore($"other-{Guid.NewGuid():N}");
        await Store.PutAsync("cold/t/a.parquet", "a"u8.ToArray(), Ct);
        await other.PutAsync("cold/t/b.parquet", "b"u8.ToArray(), Ct);

        (await ListAsync("")).Select(o => o.Key).ShouldBe(["cold/t/a.parquet"]);
        (await other.HeadAsync("cold/t/a.parquet", Ct)).ShouldBeNull();
        (await NewStore("").HeadAsync($"{_prefix}cold/t/a.parquet", Ct))!.Size.ShouldBe(1);
    }

    [Fact]
    public async Task A_stream_above_the_threshold_goes_up_in_parts_and_reads_back_exactly()
    {
        var store = NewStore(_prefix, o =>
        {
            o.MultipartThresholdBytes = 5 << 20;
            o.MultipartPartSizeBytes = 5 << 20;
        });
        var content = Bytes((17 << 20) + 12_345, seed: 3); // three full parts and a short last one

        await store.PutAsync("cold/t/big.parquet", new TrickleStream(content), content.Length, Ct);

        ShouldBeBytes(await store.GetAsync("cold/t/big.parquet", Ct), content);
        (await store.HeadAsync("cold/t/big.parquet", Ct))!.Size.ShouldBe(content.Length);
    }

    [Fact]
    public async Task A_multipart_stream_that_ends_early_is_refused_and_leaves_no_object()
    {
        var store = NewStore(_prefix, o =>
        {
            o.MultipartThresholdBytes = 5 << 20;
            o.MultipartPartSizeBytes = 5 << 20;
        });

        await Should.ThrowAsync<InvalidDataException>(() => store.PutAsync("cold/t/big.parquet", new TrickleStream(Bytes(8 << 20)), 12 << 20, Ct));

        (await store.HeadAsync("cold/t/big.parquet", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Bodies_are_sent_whole_and_signed_and_create_only_puts_carry_If_None_Match()
    {
        await using var proxy = await S3FaultProxy.StartAsync(s3rver.ServiceUrl, Ct);
        var store = NewStore(_prefix, o => o.ServiceUrl = proxy.Url);

        await store.PutAsync("cold/t/a.parquet", Bytes(1_000), Ct);
        await store.PutIfAbsentAsync("cold/t/metadata/v1.metadata.json", "{}"u8.ToArray(), Ct);

        var puts = proxy.Requests.Where(r => r.Method == "PUT").ToList();
        puts.Select(r => r.IfNoneMatch).ShouldBe(["", "*"]);
        puts.ShouldAllBe(r => r.ContentEncoding == "" && r.ContentSha256.Length == 64); // no aws-chunked, a real payload hash
    }

    [Fact]
    public async Task Throttled_requests_are_retried_until_they_succeed()
    {
        await using var proxy = await S3FaultProxy.StartAsync(s3rver.ServiceUrl, Ct);
        var store = NewStore(_prefix, o => o.ServiceUrl = proxy.Url);

        proxy.ThrottleNextRequests(2);
        await store.PutAsync("cold/t/a.parquet", Bytes(100_000), Ct);
        proxy.ThrottleNextRequests(2);
        var read = await store.GetAsync("cold/t/a.parquet", Ct);

        ShouldBeBytes(read, Bytes(100_000));
        proxy.Requests.Select(r => (r.Method, r.Throttled)).ShouldBe(
            [("PUT", true), ("PUT", true), ("PUT", false), ("GET", true), ("GET", true), ("GET", false)]);
    }

    [Fact]
    public async Task A_request_that_stays_throttled_fails_after_the_configured_retries()
    {
        await using var proxy = await S3FaultProxy.StartAsync(s3rver.ServiceUrl, Ct);
        var store = NewStore(_prefix, o =>
        {
            o.ServiceUrl = proxy.Url;
            o.MaxRetries = 2;
        });
        proxy.ThrottleNextRequests(100);

        var error = await Should.ThrowAsync<Amazon.S3.AmazonS3Exception>(() => store.HeadAsync("cold/t/a.parquet", Ct));

        error.StatusCode.ShouldBe(System.Net.HttpStatusCode.ServiceUnavailable);
        proxy.Requests.Count.ShouldBe(3);
    }
}
