using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using K2.Storage.Iceberg.Parquet;
using K2.Testing;
using Microsoft.FSharp.Core;

namespace K2.Storage.Tests.Iceberg.Parquet;

/// <summary>
/// Whatever bytes arrive, reading a footer or assigning field ids ends in a result or a <see cref="FormatException"/>
/// that says what is wrong: never another exception, a hang or a crash.
/// </summary>
public sealed class ParquetFooterMalformedTests(EmbeddedClickHouseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Fixed so a failure in CI reproduces locally; FsCheck prints the shrunk counterexample.</summary>
    private static readonly Config Runs = Config.QuickThrowOnFailure
        .WithMaxTest(2_000)
        .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(20261122UL, 0x9E3779B97F4A7C15UL), FSharpOption<int>.None)));

    private static int? AnyId(IReadOnlyList<string> path) => path.Count;

    public static TheoryData<string, byte[], string> BrokenFiles => new()
    {
        { "empty", [], "smallest possible" },
        { "shorter than two magics and a length", "PAR1PAR1"u8.ToArray(), "smallest possible" },
        { "bad leading magic", [.. "PAR0"u8, 1, 0x00, 1, 0, 0, 0, .. "PAR1"u8], "does not start with PAR1" },
        { "bad closing magic", [.. "PAR1"u8, 1, 0x00, 1, 0, 0, 0, .. "PAR2"u8], "does not end with PAR1" },
        { "encrypted footer", [.. "PAR1"u8, 1, 0x00, 1, 0, 0, 0, .. "PARE"u8], "encrypted" },
        { "footer length beyond the file", [.. "PAR1"u8, 0x00, 0xFF, 0, 0, 0, .. "PAR1"u8], "does not fit" },
        { "footer length zero", [.. "PAR1"u8, 0x00, 0, 0, 0, 0, .. "PAR1"u8], "does not fit" },
        { "footer length negative as int", [.. "PAR1"u8, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, .. "PAR1"u8], "does not fit" },
        { "footer that is not FileMetaData", [.. "PAR1"u8, 0x15, 0x02, 0x00, 3, 0, 0, 0, .. "PAR1"u8], "schema" },
        { "garbage footer", [.. "PAR1"u8, 0xDE, 0xAD, 0xBE, 0xEF, 4, 0, 0, 0, .. "PAR1"u8], "Thrift" },
    };

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public async Task Broken_file_gives_a_clear_format_exception(string description, byte[] file, string message)
    {
        Should.Throw<FormatException>(() => ParquetFooter.Read(file), description).Message.ShouldContain(message, Case.Insensitive);
        Should.Throw<FormatException>(() => ParquetFieldIds.Assign(file, AnyId), description).Message.ShouldContain(message, Case.Insensitive);
        await using var source = new MemoryStream(file);
        using var destination = new MemoryStream();
        (await Should.ThrowAsync<FormatException>(() => ParquetFieldIds.AssignAsync(source, destination, AnyId, Ct), description))
            .Message.ShouldContain(message, Case.Insensitive);
        destination.Length.ShouldBe(0, "nothing is written for a file that cannot be read");
    }

    [Fact]
    public async Task Truncated_ClickHouse_file_is_refused()
    {
        var file = await ClickHouseParquetSample.WriteAsync(fixture.ClickHouse, Ct);

        foreach (var cut in new[] { 1, 4, 8, 9, 100, file.Length / 2, file.Length - 12 })
        {
            Should.Throw<FormatException>(() => ParquetFieldIds.Assign(file.AsSpan(0, file.Length - cut), AnyId), $"cut {cut}");
        }
    }

    [Fact]
    public void Schema_whose_groups_do_not_add_up_is_refused()
    {
        // FileMetaData {2: schema [root(num_children=2), leaf "a"]}: the root claims a child that is not there.
        byte[] footer =
        [
            0x29, 0x2C, // field 2, list of 2 structs
            0x48, 0x01, (byte)'r', 0x15, 0x04, 0x00, // root: name "r", num_children 2
            0x48, 0x01, (byte)'a', 0x00, // leaf "a"
            0x00,
        ];

        Should.Throw<FormatException>(() => ParquetFieldIds.Assign(FileWithFooter(footer), AnyId)).Message.ShouldContain("more children");
    }

    [Fact]
    public async Task Non_seekable_source_is_refused_up_front()
    {
        await using var source = new NonSeekableStream();

        await Should.ThrowAsync<ArgumentException>(() => ParquetFieldIds.AssignAsync(source, Stream.Null, AnyId, Ct));
    }

    private enum MutationKind
    {
        Replace,
        Insert,
        Delete,
    }

    private readonly record struct Mutation(MutationKind Kind, int Position, byte Value);

    [Fact]
    public async Task Mutated_footers_give_a_result_or_a_format_exception()
    {
        var file = await ClickHouseParquetSample.WriteAsync(fixture.ClickHouse, Ct);
        var layout = ParquetFileLayout.Locate(file);
        var footer = file.AsSpan((int)layout.FooterOffset, layout.FooterLength).ToArray();
        var mutation =
            from kind in Gen.Elements(MutationKind.Replace, MutationKind.Insert, MutationKind.Delete)
            from position in Gen.Choose(0, footer.Length - 1)
            from value in Gen.Frequency((3, Gen.Choose(0, 255).Select(i => (byte)i)), (1, Gen.Elements<byte>(0x00, 0x0F, 0x19, 0x1C, 0xF9, 0xFF)))
            select new Mutation(kind, position, value);
        var mutations = Gen.Choose(1, 4).SelectMany(count => Gen.ArrayOf(mutation, count)).ToArbitrary();

        Prop.ForAll(mutations, changes =>
        {
            var mutated = FileWithFooter(Apply(footer, changes));
            byte[] rewritten;
            try
            {
                ParquetFooter.Read(mutated);
            }
            catch (FormatException)
            {
            }

            try
            {
                rewritten = ParquetFieldIds.Assign(mutated, AnyId);
            }
            catch (FormatException)
            {
                return;
            }

            // What K2 accepted, it writes so that it reads back the same.
            ParquetFieldIds.Assign(rewritten, AnyId).ShouldBe(rewritten);
        }).Check(Runs);
    }

    private static byte[] Apply(byte[] footer, Mutation[] mutations)
    {
        var bytes = footer.ToList();
        foreach (var (kind, position, value) in mutations)
        {
            var at = Math.Min(position, bytes.Count - 1);
            switch (kind)
            {
                case MutationKind.Replace:
                    bytes[at] = value;
                    break;
                case MutationKind.Insert:
                    bytes.Insert(at, value);
                    break;
                case MutationKind.Delete when bytes.Count > 1:
                    bytes.RemoveAt(at);
                    break;
            }
        }

        return [.. bytes];
    }

    /// <summary>A file with no data pages around <paramref name="footer"/>, with a correct length and magics.</summary>
    private static byte[] FileWithFooter(byte[] footer)
    {
        var file = new byte[4 + footer.Length + 8];
        "PAR1"u8.CopyTo(file);
        footer.CopyTo(file, 4);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(4 + footer.Length), footer.Length);
        "PAR1"u8.CopyTo(file.AsSpan(8 + footer.Length));
        return file;
    }

    private sealed class NonSeekableStream : MemoryStream
    {
        public override bool CanSeek => false;
    }
}
