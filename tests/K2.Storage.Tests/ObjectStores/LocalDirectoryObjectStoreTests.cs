using K2.Storage.ClickHouse;
using K2.Storage.ObjectStores;
using K2.Testing;

namespace K2.Storage.Tests.ObjectStores;

/// <summary>The contract on a local directory, plus what only a directory has: atomic temp-file writes and folder cleanup.</summary>
public sealed class LocalDirectoryObjectStoreTests(EmbeddedClickHouseFixture clickHouse) : ObjectStoreContractTests, IDisposable
{
    private readonly TempDirectory _directory = new("k2-warehouse");
    private LocalDirectoryObjectStore? _store;

    protected override IObjectStore Store => LocalStore;

    protected override IClickHouseClient ClickHouse => clickHouse.ClickHouse;

    private LocalDirectoryObjectStore LocalStore => _store ??= new LocalDirectoryObjectStore(Path.Combine(_directory.Path, "warehouse"));

    protected override string CsvTableFunction(string location, string structure) => $"file('{location}', 'CSV', '{structure}')";

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void The_location_is_the_absolute_path_of_the_file_under_the_root()
    {
        LocalStore.LocationOf("cold/t/data/a.parquet").ShouldBe(Path.Combine(_directory.Path, "warehouse", "cold", "t", "data", "a.parquet"));
        Path.IsPathRooted(LocalStore.Root).ShouldBeTrue();
        LocalStore.IcebergLocationOf("cold/t/data/a.parquet").ShouldBe(LocalStore.LocationOf("cold/t/data/a.parquet"));
    }

    [Fact]
    public async Task Writes_leave_no_temporary_files_and_an_interrupted_one_is_not_listed()
    {
        await Store.PutAsync("cold/t/a.parquet", "a"u8.ToArray(), Ct);
        await Store.PutIfAbsentAsync("cold/t/b.parquet", "b"u8.ToArray(), Ct);
        await Store.PutIfAbsentAsync("cold/t/b.parquet", "c"u8.ToArray(), Ct);
        await Should.ThrowAsync<InvalidDataException>(() => Store.PutAsync("cold/t/c.parquet", new MemoryStream([1, 2]), 3, Ct));
        // What a crash between writing and renaming leaves behind.
        await File.WriteAllTextAsync(Path.Combine(LocalStore.Root, "cold", "t", ".d.parquet.0123.tmp"), "partial", Ct);

        Directory.GetFiles(LocalStore.Root, "*", SearchOption.AllDirectories).Select(Path.GetFileName)
            .ShouldBe(["a.parquet", "b.parquet", ".d.parquet.0123.tmp"], ignoreOrder: true);
        (await ListAsync("")).Select(o => o.Key).ShouldBe(["cold/t/a.parquet", "cold/t/b.parquet"]);
    }

    [Fact]
    public async Task Deleting_the_last_object_of_a_folder_removes_the_empty_folders_but_not_the_root()
    {
        await Store.PutAsync("cold/t/data/day=1/a.parquet", "a"u8.ToArray(), Ct);
        await Store.PutAsync("cold/t/metadata/v1.metadata.json", "{}"u8.ToArray(), Ct);

        await Store.DeleteAsync("cold/t/data/day=1/a.parquet", Ct);

        Directory.Exists(Path.Combine(LocalStore.Root, "cold", "t", "data")).ShouldBeFalse();
        Directory.Exists(Path.Combine(LocalStore.Root, "cold", "t", "metadata")).ShouldBeTrue();

        await Store.DeleteAsync("cold/t/metadata/v1.metadata.json", Ct);

        Directory.Exists(LocalStore.Root).ShouldBeTrue();
        Directory.GetFileSystemEntries(LocalStore.Root).ShouldBeEmpty();
    }

    [Fact]
    public async Task Empty_folders_can_be_kept()
    {
        var store = new LocalDirectoryObjectStore(Path.Combine(_directory.Path, "kept"), removeEmptyDirectories: false);
        await store.PutAsync("cold/t/a.parquet", "a"u8.ToArray(), Ct);

        await store.DeleteAsync("cold/t/a.parquet", Ct);

        Directory.Exists(Path.Combine(store.Root, "cold", "t")).ShouldBeTrue();
    }

    [Fact]
    public async Task Puts_and_deletes_racing_in_one_folder_never_fail()
    {
        // A delete may remove a folder just as a put is about to create its temporary file there.
        await Parallel.ForAsync(0, 2_000, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = Ct }, async (i, ct) =>
        {
            var key = $"cold/t/data/day=1/{i}.parquet";
            await Store.PutAsync(key, "x"u8.ToArray(), ct);
            await Store.DeleteAsync(key, ct);
        });

        (await ListAsync("")).ShouldBeEmpty();
    }
}
