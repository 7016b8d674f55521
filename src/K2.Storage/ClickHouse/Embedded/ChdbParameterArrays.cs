using System.Runtime.InteropServices;
using System.Text;

namespace K2.Storage.ClickHouse.Embedded;

/// <summary>
/// A statement's parameters as chDB's <c>*_with_params_n</c> calls take them: arrays of UTF-8 name and value pointers
/// with their lengths, all in one native block that lives until <see cref="Dispose"/>. chDB copies them before the
/// call returns. No parameters give null arrays and a count of 0, which chDB accepts.
/// </summary>
internal sealed unsafe class ChdbParameterArrays : IDisposable
{
    private void* _block;

    public ChdbParameterArrays(ClickHouseParameters? parameters)
    {
        var values = parameters?.Values ?? [];
        Count = (nuint)values.Count;
        if (values.Count == 0)
        {
            return;
        }

        // Layout: names*, values* (pointers), name lengths, value lengths (nuint), then the UTF-8 bytes themselves.
        var textBytes = values.Sum(p => (long)Encoding.UTF8.GetByteCount(p.Key) + Encoding.UTF8.GetByteCount(p.Value));
        var headerBytes = 2L * values.Count * (sizeof(byte*) + sizeof(nuint));
        _block = NativeMemory.Alloc(checked((nuint)(headerBytes + textBytes)));
        Names = (byte**)_block;
        Values = Names + values.Count;
        NameLengths = (nuint*)(Values + values.Count);
        ValueLengths = NameLengths + values.Count;
        var text = (byte*)(ValueLengths + values.Count);
        for (var i = 0; i < values.Count; i++)
        {
            NameLengths[i] = Put(values[i].Key, ref text, out Names[i]);
            ValueLengths[i] = Put(values[i].Value, ref text, out Values[i]);
        }
    }

    public byte** Names { get; }

    public nuint* NameLengths { get; }

    public byte** Values { get; }

    public nuint* ValueLengths { get; }

    public nuint Count { get; }

    public void Dispose()
    {
        NativeMemory.Free(_block);
        _block = null;
    }

    private static nuint Put(string value, ref byte* text, out byte* start)
    {
        start = text;
        var length = Encoding.UTF8.GetByteCount(value);
        Encoding.UTF8.GetBytes(value, new Span<byte>(text, length));
        text += length;
        return (nuint)length;
    }
}
