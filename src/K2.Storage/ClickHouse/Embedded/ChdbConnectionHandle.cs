using System.Runtime.InteropServices;

namespace K2.Storage.ClickHouse.Embedded;

/// <summary>Owns one chDB connection (the pointer <c>chdb_connect</c> returned) and closes it exactly once.</summary>
internal sealed class ChdbConnectionHandle : SafeHandle
{
    private ChdbConnectionHandle()
        : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>The <c>chdb_connection</c> queries take: the value stored behind the connect pointer.</summary>
    public unsafe nint Connection => *(nint*)handle;

    public static unsafe ChdbConnectionHandle? Connect(IReadOnlyList<string> arguments)
    {
        var utf8 = arguments.Select(a => System.Text.Encoding.UTF8.GetBytes(a + '\0')).ToArray();
        var pins = utf8.Select(b => GCHandle.Alloc(b, GCHandleType.Pinned)).ToArray();
        try
        {
            var argv = stackalloc byte*[utf8.Length];
            for (var i = 0; i < utf8.Length; i++)
            {
                argv[i] = (byte*)pins[i].AddrOfPinnedObject();
            }

            var pointer = ChdbNative.chdb_connect(utf8.Length, argv);
            if (pointer == 0)
            {
                return null;
            }

            var connection = new ChdbConnectionHandle();
            connection.SetHandle(pointer);
            return connection;
        }
        finally
        {
            foreach (var pin in pins)
            {
                pin.Free();
            }
        }
    }

    protected override bool ReleaseHandle()
    {
        ChdbNative.chdb_close_conn(handle);
        return true;
    }
}
