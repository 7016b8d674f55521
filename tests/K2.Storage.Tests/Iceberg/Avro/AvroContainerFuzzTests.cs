using FsCheck;
using FsCheck.Fluent;
using K2.Storage.Iceberg.Avro;
using Microsoft.FSharp.Core;

namespace K2.Storage.Tests.Iceberg.Avro;

/// <summary>Whatever bytes a container file is corrupted into, reading it either succeeds or throws <see cref="FormatException"/>.</summary>
public sealed class AvroContainerFuzzTests
{
    /// <summary>Fixed so a failure in CI reproduces locally; FsCheck prints the shrunk counterexample.</summary>
    private static readonly Config Runs = Config.QuickThrowOnFailure
        .WithMaxTest(3_000)
        .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(20260401UL, 0x9E3779B97F4A7C15UL), FSharpOption<int>.None)));

    private static readonly byte[][] Files = [Write(AvroCodec.Null), Write(AvroCodec.Deflate)];

    private static byte[] Write(AvroCodec codec)
    {
        using var stream = new MemoryStream();
        AvroContainerWriter.Write(stream, EverythingSchema.Json, new Dictionary<string, string>(),
            Enumerable.Range(0, 6).Select(k => (object?)EverythingSchema.Record(k)), codec, blockSize: 150);
        return stream.ToArray();
    }

    private readonly record struct Mutation(int Position, byte Value);

    private sealed record FuzzCase(int FileIndex, Mutation[] Mutations, bool Truncate)
    {
        public override string ToString() =>
            $"file {FileIndex} [{string.Join(", ", Mutations.Select(m => $"@{m.Position}:0x{m.Value:X2}"))}]{(Truncate ? " truncated" : "")}";
    }

    [Fact]
    public void Corrupted_files_are_read_or_refused_with_FormatException_only()
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
            var file = (byte[])Files[c.FileIndex].Clone();
            foreach (var m in c.Mutations)
            {
                file[m.Position % file.Length] = m.Value;
            }

            if (c.Truncate)
            {
                file = file[..(c.Mutations[0].Position % file.Length)];
            }

            try
            {
                AvroContainerReader.Read(file);
            }
            catch (FormatException)
            {
            }
        }).Check(Runs);
    }
}
