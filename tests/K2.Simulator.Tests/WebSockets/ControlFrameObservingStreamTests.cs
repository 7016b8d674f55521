using K2.Simulator.WebSockets;

namespace K2.Simulator.Tests.WebSockets;

public sealed class ControlFrameObservingStreamTests
{
    /// <summary>Masked client frames: text (7-bit length), ping (16-bit length), pong (64-bit length), close, ping.</summary>
    private static readonly byte[] Frames =
    [
        .. Frame(0x1, 5, lengthBytes: 0),
        .. Frame(0x9, 300, lengthBytes: 2),
        .. Frame(0xA, 70_000, lengthBytes: 8),
        .. Frame(0x8, 2, lengthBytes: 0),
        .. Frame(0x9, 0, lengthBytes: 0),
    ];

    [Fact]
    public async Task Counts_ping_and_pong_frames_read_in_one_go()
    {
        var count = 0;
        await using var stream = new ControlFrameObservingStream(new MemoryStream(Frames), () => count++);

        await stream.CopyToAsync(Stream.Null, TestContext.Current.CancellationToken);

        Assert.Equal(3, count);
    }

    [Fact]
    public async Task Counts_ping_and_pong_frames_read_one_byte_at_a_time()
    {
        var count = 0;
        await using var stream = new ControlFrameObservingStream(new MemoryStream(Frames), () => count++);
        var one = new byte[1];

        while (await stream.ReadAsync(one, TestContext.Current.CancellationToken) > 0)
        {
        }

        Assert.Equal(3, count);
    }

    [Fact]
    public void Writes_pass_through_unchanged()
    {
        var inner = new MemoryStream();
        using var stream = new ControlFrameObservingStream(inner, () => Assert.Fail("writes are not observed"));

        stream.Write(Frames);

        Assert.Equal(Frames, inner.ToArray());
    }

    private static byte[] Frame(byte opcode, int payloadLength, int lengthBytes)
    {
        const byte fin = 0x80;
        const byte mask = 0x80;
        var header = new List<byte> { (byte)(fin | opcode) };
        switch (lengthBytes)
        {
            case 0:
                header.Add((byte)(mask | payloadLength));
                break;
            case 2:
                header.Add(mask | 126);
                header.AddRange([(byte)(payloadLength >> 8), (byte)payloadLength]);
                break;
            default:
                header.Add(mask | 127);
                header.AddRange(BitConverter.GetBytes((ulong)payloadLength).Reverse());
                break;
        }

        header.AddRange([1, 2, 3, 4]);
        // Payload bytes that look like frame headers, to show they are skipped, not parsed.
        return [.. header, .. Enumerable.Repeat((byte)0x89, payloadLength)];
    }
}
