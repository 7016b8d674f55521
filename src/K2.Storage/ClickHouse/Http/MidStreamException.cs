using System.Buffers.Text;
using System.Text;

namespace K2.Storage.ClickHouse.Http;

/// <summary>
/// Finds the exception a ClickHouse server writes into the body of an answer it has already started with 200 OK: a
/// query that fails after the first bytes went out cannot change its status any more, so the server appends the error
/// and then breaks the HTTP framing on purpose (no last chunk; the connection closes). Two forms, both written by
/// <c>WriteBufferFromHTTP1ServerResponse::cancelWithException</c> in ClickHouse's source:
/// <list type="bullet">
/// <item>25.11 and later (ClickHouse PR 88818), with a random tag that every answer names in the
/// <c>X-ClickHouse-Exception-Tag</c> header: <c>\r\n__exception__\r\n{tag}\r\n{message}\n{length} {tag}\r\n__exception__\r\n</c>,
/// where length counts the message's bytes including its final <c>\n</c>. The tag makes it unambiguous, so it is
/// recognised whether or not the framing broke.</item>
/// <item>Before 25.11: <c>__exception__\r\n{message}\n</c>, right after the last data bytes. Data could end that way, so
/// it is recognised only in a body whose framing broke (a complete answer is data), and only with the
/// <c>Code: N. DB::Exception</c> text every server message starts with.</item>
/// </list>
/// Servers before the marker existed appended the bare text to an answer that ended normally; that is
/// indistinguishable from data, so it is not looked for.
/// </summary>
internal static class MidStreamException
{
    /// <summary>The header naming the tag of an answer's exception block (25.11 and later).</summary>
    public const string TagHeader = "X-ClickHouse-Exception-Tag";

    /// <summary>
    /// How many bytes at the end of a body are searched for the block: the server caps a tagged block at 16 KiB
    /// (<c>MAX_EXCEPTION_SIZE</c>). The untagged form has no cap; a message longer than this is not found, and the
    /// answer fails as the broken connection it also is.
    /// </summary>
    public const int MaxBlockBytes = 64 * 1024;

    private const string Marker = "__exception__";
    private const string LineBreak = "\r\n";
    private static readonly byte[] UntaggedStart = Encoding.ASCII.GetBytes(Marker + LineBreak + "Code: ");

    /// <summary>
    /// The server's exception at the end of <paramref name="tail"/> (the last bytes of a body), or null.
    /// <paramref name="tag"/> is the answer's <see cref="TagHeader"/>; <paramref name="framingBroke"/> says the body
    /// ended without its proper end (the server's signal that it failed).
    /// </summary>
    public static string? Find(ReadOnlySpan<byte> tail, string? tag, bool framingBroke)
    {
        if (tag is { Length: > 0 })
        {
            return FindTagged(tail, tag, framingBroke);
        }

        return framingBroke ? FindUntagged(tail) : null;
    }

    /// <summary>
    /// The whole block at the very end; or, when the framing broke, a block cut short (the connection died while it
    /// was being sent), whose text then runs to the end of what arrived.
    /// </summary>
    private static string? FindTagged(ReadOnlySpan<byte> tail, string tag, bool framingBroke)
    {
        var opening = Encoding.ASCII.GetBytes(LineBreak + Marker + LineBreak + tag + LineBreak);
        var closing = Encoding.ASCII.GetBytes(" " + tag + LineBreak + Marker + LineBreak);
        if (tail.EndsWith(closing))
        {
            // Before the closing: "{message}\n{length}", the length in decimal digits.
            var lengthAndMessage = tail[..^closing.Length];
            var digits = lengthAndMessage.Length - lengthAndMessage.TrimEnd("0123456789"u8).Length;
            if (digits > 0 && Utf8Parser.TryParse(lengthAndMessage[^digits..], out int length, out var consumed) && consumed == digits)
            {
                var messageEnd = lengthAndMessage.Length - digits;
                var messageStart = messageEnd - length;
                if (length > 0 && messageStart >= opening.Length && lengthAndMessage[messageEnd - 1] == (byte)'\n'
                    && lengthAndMessage[(messageStart - opening.Length)..messageStart].SequenceEqual(opening))
                {
                    return Text(lengthAndMessage[messageStart..messageEnd]);
                }
            }
        }

        if (!framingBroke)
        {
            return null;
        }

        var start = tail.LastIndexOf(opening);
        return start < 0 ? null : Text(tail[(start + opening.Length)..]);
    }

    private static string? FindUntagged(ReadOnlySpan<byte> tail)
    {
        var start = tail.LastIndexOf(UntaggedStart);
        return start < 0 || tail[^1] != (byte)'\n' ? null : Text(tail[(start + Marker.Length + LineBreak.Length)..]);
    }

    private static string Text(ReadOnlySpan<byte> message) => Encoding.UTF8.GetString(message).TrimEnd('\n', '\r');
}
