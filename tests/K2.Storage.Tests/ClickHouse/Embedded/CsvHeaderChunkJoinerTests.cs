using System.Text;
using K2.Storage.ClickHouse.Embedded;
using K2.Storage.Tests.Support;

namespace K2.Storage.Tests.ClickHouse.Embedded;

/// <summary>
/// <see cref="CsvHeaderChunkJoiner"/> on pieces shaped as chDB streams CSVWithNames: each starts with the header line.
/// </summary>
public sealed class CsvHeaderChunkJoinerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_header_is_written_once_even_one_with_a_quoted_line_break_and_doubled_quotes()
    {
        const string Header = "\"a\"\"b\",\"line\nbreak\"\n";
        var output = new RecordingChunkWriter();
        var joiner = new CsvHeaderChunkJoiner(output.WriteAsync);

        foreach (var piece in new[] { Header + "1,\"x\"\n", Header + "2,\"y\n\"\n", Header, Header + "3,\"\"\"z\"\n" })
        {
            await joiner.AddAsync(Encoding.UTF8.GetBytes(piece), Ct);
        }

        await joiner.CompleteAsync(Ct);

        Encoding.UTF8.GetString(output.Bytes).ShouldBe(Header + "1,\"x\"\n2,\"y\n\"\n3,\"\"\"z\"\n");
        output.Writes.ShouldBe(3); // the header-only piece adds nothing
    }

    [Fact]
    public async Task A_piece_without_the_first_pieces_header_is_refused()
    {
        var joiner = new CsvHeaderChunkJoiner(new RecordingChunkWriter().WriteAsync);
        await joiner.AddAsync("\"n\"\n1\n"u8.ToArray(), Ct);

        var error = await Should.ThrowAsync<FormatException>(() => joiner.AddAsync("2\n3\n"u8.ToArray(), Ct).AsTask());

        error.Message.ShouldContain("does not start with the header line");
    }

    [Fact]
    public async Task A_first_piece_without_a_whole_header_line_is_refused()
    {
        var joiner = new CsvHeaderChunkJoiner(new RecordingChunkWriter().WriteAsync);

        var error = await Should.ThrowAsync<FormatException>(() => joiner.AddAsync("\"a\n"u8.ToArray(), Ct).AsTask());

        error.Message.ShouldContain("no complete header line");
    }
}
