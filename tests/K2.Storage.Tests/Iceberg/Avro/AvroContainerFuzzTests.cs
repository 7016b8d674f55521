using FsCheck;
using FsCheck.Fluent;
using K2.Storage.Iceberg.Avro;
using Microsoft.FSharp.Core;

namespace K2.Storage.Tests.Iceberg.Avro;

/// <summary>
/// Whatever bytes a container file is corrupted into, reading it either throws <see cref="FormatException"/> or gives
/// back the original records except those the changed bytes can reach. The null and deflate codecs carry no checksum,
/// so a change inside a block's records can go unnoticed; what it can reach is worked out from the original file's
/// layout (<see cref="Layout"/>).
/// </summary>
public sealed class AvroContainerFuzzTests
{
    /// <summary>Fixed so a failure in CI reproduces locally; FsCheck prints the shrunk counterexample.</summary>
    private static readonly Config Runs = Config.QuickThrowOnFailure
        .WithMaxTest(3_000)
        .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(20260401UL, 0x9E3779B97F4A7C15UL), FSharpOption<int>.None)));

    private const int RecordCount = 6;

    private static readonly byte[][] Files = [Write(AvroCodec.Null), Write(AvroCodec.Deflate)];

    private static readonly Layout[] Layouts = [Layout.Of(Files[0], AvroCodec.Null), Layout.Of(Files[1], AvroCodec.Deflate)];

    private static byte[] Write(AvroCodec codec)
    {
        using var stream = new MemoryStream();
        AvroContainerWriter.Write(stream, EverythingSchema.Json, new Dictionary<string, string>(),
            Enumerable.Range(0, RecordCount).Select(k => (object?)EverythingSchema.Record(k)), codec, blockSize: 150);
        return stream.ToArray();
    }

    private readonly record struct Mutation(int Position, byte Value);

    private sealed record FuzzCase(int FileIndex, Mutation[] Mutations, bool Truncate)
    {
        public override string ToString() =>
            $"file {FileIndex} [{string.Join(", ", Mutations.Select(m => $"@{m.Position}:0x{m.Value:X2}"))}]{(Truncate ? " truncated" : "")}";
    }

    [Fact]
    public void The_files_under_test_have_several_blocks_of_records()
    {
        // Otherwise the block rules below would go untested: a block closes once it holds 150 bytes or more, after
        // the third record of about 60 bytes.
        foreach (var layout in Layouts)
        {
            layout.Blocks.Select(b => b.Records.Count).ShouldBe([3, 3], layout.Codec.ToString());
        }
    }

    [Fact]
    public void Corrupted_files_are_refused_with_FormatException_or_read_differing_only_where_the_changes_reach()
    {
        var mutation = Gen.Zip(Gen.Choose(0, int.MaxValue), Gen.Elements<byte>(0x00, 0x01, 0x02, 0x7F, 0x80, 0xFF, 0x3F, 0x41))
            .Select(m => new Mutation(m.Item1, m.Item2));
        var cases =
            from fileIndex in Gen.Choose(0, Files.Length - 1)
            from count in Gen.Choose(1, 4)
            from mutations in Gen.ArrayOf(mutation, count)
            from truncate in Gen.Elements(false, false, false, true)
            select new FuzzCase(fileIndex, mutations, truncate);

        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var original = Files[c.FileIndex];
            var file = (byte[])original.Clone();
            foreach (var m in c.Mutations)
            {
                file[m.Position % file.Length] = m.Value;
            }

            if (c.Truncate)
            {
                file = file[..(c.Mutations[0].Position % file.Length)];
            }

            // A mutation may write the byte that was there; only bytes that differ count as changed.
            var changed = Enumerable.Range(0, file.Length).Where(i => file[i] != original[i]).ToArray();
            AvroContainerFile read;
            try
            {
                read = AvroContainerReader.Read(file);
            }
            catch (FormatException e)
            {
                var intact = changed.Length == 0 && Layouts[c.FileIndex].IsBoundary(file.Length);
                intact.ShouldBeFalse($"{c}: an intact file (or one cut exactly after a block) was refused: {e.Message}");
                return;
            }

            Layouts[c.FileIndex].ShouldExplain(read, changed, file.Length, c.ToString());
        }).Check(Runs);
    }

    /// <summary>Where a block's parts lie in the original file, and each record's bytes (in file positions).</summary>
    private sealed record Block(int Start, int PayloadStart, int SyncStart, int End, IReadOnlyList<(int Start, int End)> Records);

    /// <summary>The original file's layout: the header (magic, metadata map, sync marker), then the blocks.</summary>
    private sealed record Layout(AvroCodec Codec, int SyncStart, int HeaderEnd, IReadOnlyList<Block> Blocks)
    {
        private static readonly int MagicLength = AvroContainer.Magic.Length;

        public static Layout Of(byte[] file, AvroCodec codec)
        {
            var reader = new AvroBinaryReader(file.AsSpan(MagicLength));
            AvroDatum.Read(ref reader, AvroContainer.MetadataSchema);
            var syncStart = MagicLength + reader.Position;
            reader.ReadFixed(AvroContainer.SyncSize);
            var headerEnd = MagicLength + reader.Position;

            var blocks = new List<Block>();
            while (!reader.End)
            {
                var start = MagicLength + reader.Position;
                var count = reader.ReadLong();
                var size = (int)reader.ReadLong();
                var payloadStart = MagicLength + reader.Position;
                reader.ReadFixed(size + AvroContainer.SyncSize);
                var records = new List<(int, int)>();
                if (codec == AvroCodec.Null)
                {
                    var payload = new AvroBinaryReader(file.AsSpan(payloadStart, size));
                    for (var i = 0; i < count; i++)
                    {
                        var recordStart = payloadStart + payload.Position;
                        AvroDatum.Read(ref payload, EverythingSchema.Schema);
                        records.Add((recordStart, payloadStart + payload.Position));
                    }
                }
                else
                {
                    // Compressed together: every record of the block comes from all of its compressed bytes.
                    records.AddRange(Enumerable.Repeat((payloadStart, payloadStart + size), (int)count));
                }

                blocks.Add(new Block(start, payloadStart, payloadStart + size, MagicLength + reader.Position, records));
            }

            return new Layout(codec, syncStart, headerEnd, blocks);
        }

        /// <summary>Whether a file cut to <paramref name="length"/> is a valid shorter file: the header and whole blocks.</summary>
        public bool IsBoundary(int length) => length == HeaderEnd || Blocks.Any(b => b.End == length);

        /// <summary>
        /// Asserts that a corrupted file that was read (with the bytes at <paramref name="changed"/> differing from the
        /// original and cut to <paramref name="length"/>) holds what those changes allow:
        /// <list type="bullet">
        /// <item>a changed magic or sync marker is always refused (the sync marker is compared after every block);</item>
        /// <item>a change in the metadata map may give another schema, and then the records are not predictable; if the
        /// schema and codec read back as the original, the rules below hold;</item>
        /// <item>a change in a block's count or size may shift everything after it, so nothing from that block on is
        /// checked;</item>
        /// <item>otherwise the file holds exactly the records of the whole blocks it still has, and a cut anywhere but
        /// after a block is refused;</item>
        /// <item>with the null codec, records are decoded one after another, so a changed record and the ones after it in
        /// its block may differ, the ones before it may not; with deflate, a change in a block's compressed bytes may
        /// change all of its records (or fail to inflate), and a block without changes reads back exactly.</item>
        /// </list>
        /// </summary>
        public void ShouldExplain(AvroContainerFile read, int[] changed, int length, string fuzzCase)
        {
            bool ChangedIn(int start, int end) => changed.Any(i => i >= start && i < end);

            ChangedIn(0, MagicLength).ShouldBeFalse($"{fuzzCase}: a changed magic was read");
            if (ChangedIn(MagicLength, SyncStart)
                && (read.SchemaJson != EverythingSchema.Json || read.Codec != Codec || read.Metadata.Count != 2))
            {
                return; // another header: another schema or codec, the records cannot be predicted
            }

            var kept = Blocks.Where(b => b.End <= length).ToList();
            if (kept.Count > 0)
            {
                ChangedIn(SyncStart, HeaderEnd).ShouldBeFalse($"{fuzzCase}: a changed header sync marker was read");
            }

            var expected = 0;
            foreach (var block in kept)
            {
                ChangedIn(block.SyncStart, block.End).ShouldBeFalse($"{fuzzCase}: a changed block sync marker was read");
                if (ChangedIn(block.Start, block.PayloadStart))
                {
                    return; // a changed count or size: what follows is not predictable
                }

                var firstChanged = Enumerable.Range(0, block.Records.Count)
                    .FirstOrDefault(i => ChangedIn(block.Records[i].Start, block.Records[i].End), block.Records.Count);
                for (var i = 0; i < firstChanged; i++)
                {
                    EverythingSchema.ShouldEqual(read.Records[expected + i], EverythingSchema.Record(expected + i), $"{fuzzCase}: record {expected + i}");
                }

                expected += block.Records.Count;
            }

            IsBoundary(length).ShouldBeTrue($"{fuzzCase}: a file cut inside its header or a block was read");
            read.Records.Count.ShouldBe(expected, fuzzCase);
        }
    }
}
