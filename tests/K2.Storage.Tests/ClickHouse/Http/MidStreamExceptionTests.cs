using System.Text;
using K2.Storage.ClickHouse.Http;

namespace K2.Storage.Tests.ClickHouse.Http;

/// <summary>
/// The two forms in which a server writes an error into an answer it began with 200 OK, byte for byte as
/// <c>WriteBufferFromHTTP1ServerResponse::cancelWithException</c> writes them, and what must not be taken for one.
/// </summary>
public sealed class MidStreamExceptionTests
{
    private const string Tag = "q3qcwevftozysg2s";
    private const string Message = "Code: 159. DB::Exception: Timeout exceeded: elapsed 5.000412 seconds, maximum: 5. (TIMEOUT_EXCEEDED)";

    private static byte[] Body(string text) => [.. "\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0000"u8, .. Encoding.UTF8.GetBytes(text)];

    private static string Tagged(string message, string tag = Tag, int? length = null) =>
        $"\r\n__exception__\r\n{tag}\r\n{message}\n{length ?? (Encoding.UTF8.GetByteCount(message) + 1)} {tag}\r\n__exception__\r\n";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_tagged_block_at_the_end_is_found_whether_or_not_the_framing_broke(bool framingBroke)
    {
        MidStreamException.Find(Body(Tagged(Message)), Tag, framingBroke).ShouldBe(Message);
    }

    [Fact]
    public void The_length_of_a_tagged_message_counts_bytes_not_characters()
    {
        const string Unicode = "Code: 395. DB::Exception: Preis über Grenze ✗. (FUNCTION_THROW_IF_VALUE_IS_NON_ZERO)";

        MidStreamException.Find(Body(Tagged(Unicode)), Tag, framingBroke: false).ShouldBe(Unicode);
    }

    [Theory]
    [InlineData("abcdefghij012345", null)] // another answer's tag
    [InlineData(Tag, 7)] // a length that does not lead back to the opening
    public void A_tagged_lookalike_in_a_complete_answer_is_data(string tag, int? length)
    {
        MidStreamException.Find(Body(Tagged(Message, tag, length)), Tag, framingBroke: false).ShouldBeNull();
    }

    [Fact]
    public void A_tagged_block_cut_short_is_found_when_the_framing_broke()
    {
        // The connection died 60 bytes before the end: the closing (38 bytes with the message's line break) and the
        // message's last 22 characters never arrived.
        var cut = Tagged(Message)[..^60];

        MidStreamException.Find(Body(cut), Tag, framingBroke: true).ShouldBe(Message[..^22]);
        MidStreamException.Find(Body(cut), Tag, framingBroke: false).ShouldBeNull();
    }

    [Fact]
    public void An_untagged_block_is_found_only_when_the_framing_broke()
    {
        var body = Body($"__exception__\r\n{Message}\n");

        MidStreamException.Find(body, tag: null, framingBroke: true).ShouldBe(Message);
        MidStreamException.Find(body, tag: null, framingBroke: false).ShouldBeNull();
    }

    [Theory]
    [InlineData("__exception__\r\nsomething else\n")] // not a server message
    [InlineData("__exception__\r\nCode: 159. DB::Exception: cut")] // no final line break
    [InlineData("")]
    public void A_broken_answer_without_a_block_is_left_a_connection_failure(string end)
    {
        MidStreamException.Find(Body(end), tag: null, framingBroke: true).ShouldBeNull();
    }

    [Fact]
    public void An_answer_with_a_tag_header_is_not_searched_for_the_untagged_form()
    {
        MidStreamException.Find(Body($"__exception__\r\n{Message}\n"), Tag, framingBroke: true).ShouldBeNull();
    }
}
