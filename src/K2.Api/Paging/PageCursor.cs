using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using K2.Core;
using K2.Storage.History;

namespace K2.Api.Paging;

/// <summary>
/// The opaque <c>next_cursor</c> of a page: the position of its last row (exchange time and trade id for trades,
/// bucket start for candles), the direction of reading, and a fingerprint of the query it belongs to, so a cursor
/// given with another exchange, symbol, timeframe or range is refused instead of silently skipping rows. Positions
/// are keys, not offsets: rows that arrive while a client pages (new trades, or late ones the offload copies to the
/// cold tier) neither repeat nor shift a page. Layout, base64url: version, direction, 8 bytes of fingerprint, the
/// time in microseconds, then the trade id in UTF-8.
/// </summary>
internal static class PageCursor
{
    private const byte Version = 1;
    private const int HeaderLength = 1 + 1 + 8 + 8;

    /// <summary>The fingerprint is not secret, so a crafted cursor may carry any time; only stored ones are accepted.</summary>
    private static readonly UnixMicros Earliest = new(0);

    private static readonly UnixMicros End = UnixMicros.FromDateTimeOffset(new DateTimeOffset(2200, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>Trade ids are short (numbers or UUIDs); a longer one is not from K2.</summary>
    private const int MaxTradeIdBytes = 128;

    /// <summary>The longest cursor text K2 produces (base64url of the largest payload).</summary>
    public const int MaxLength = ((HeaderLength + MaxTradeIdBytes) * 4 / 3) + 4;

    /// <summary>Identifies a query by everything that selects its rows (not the page size, which may change between pages).</summary>
    public static ulong Fingerprint(params object?[] selection)
    {
        var text = string.Join('\u001f', selection.Select(s => s switch
        {
            null => "",
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => s.ToString(),
        }));
        return BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    public static string Encode(ulong fingerprint, ReadDirection direction, UnixMicros position, string tradeId = "")
    {
        var id = Encoding.UTF8.GetBytes(tradeId);
        var bytes = new byte[HeaderLength + id.Length];
        bytes[0] = Version;
        bytes[1] = DirectionByte(direction);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(2), fingerprint);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(10), position.Value);
        id.CopyTo(bytes.AsSpan(HeaderLength));
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>
    /// Reads a cursor of the query <paramref name="fingerprint"/> read in <paramref name="direction"/>; on failure
    /// <paramref name="problem"/> says why.
    /// </summary>
    public static bool TryDecode(
        string text, ulong fingerprint, ReadDirection direction, out UnixMicros position, out string tradeId, out string problem)
    {
        position = default;
        tradeId = "";
        problem = "";
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            bytes = [];
        }

        if (bytes.Length < HeaderLength || bytes.Length > HeaderLength + MaxTradeIdBytes || bytes[0] != Version || bytes[1] > 1)
        {
            problem = "'cursor' is not a cursor K2 gave: pass a page's next_cursor unchanged.";
            return false;
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(2)) != fingerprint || bytes[1] != DirectionByte(direction))
        {
            problem = "'cursor' belongs to another query: repeat the exchange, symbol, timeframe, from and to of the query that gave it.";
            return false;
        }

        try
        {
            tradeId = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, HeaderLength, bytes.Length - HeaderLength);
        }
        catch (ArgumentException)
        {
            problem = "'cursor' is not a cursor K2 gave: pass a page's next_cursor unchanged.";
            return false;
        }

        position = new UnixMicros(BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(10)));
        if (position < Earliest || position >= End)
        {
            problem = "'cursor' is not a cursor K2 gave: pass a page's next_cursor unchanged.";
            return false;
        }

        return true;
    }

    private static byte DirectionByte(ReadDirection direction) => direction == ReadDirection.NewestFirst ? (byte)1 : (byte)0;
}
