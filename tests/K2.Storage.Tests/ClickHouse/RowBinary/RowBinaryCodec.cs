using System.Buffers;
using K2.Storage.ClickHouse.RowBinary;

namespace K2.Storage.Tests.ClickHouse.RowBinary;

internal static class RowBinaryCodec
{
    public static byte[] Encode(Action<RowBinaryWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new RowBinaryWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }
}
