using System.Runtime.InteropServices;

namespace K2.Storage.ClickHouse.Embedded;

/// <summary>
/// The chDB C API (chdb.h, 26.7) as used by K2. Only this folder sees these pointers; everything else goes through
/// <see cref="EmbeddedClickHouse"/>. Library resolution is in <see cref="ChdbLibrary"/>.
/// </summary>
internal static unsafe partial class ChdbNative
{
    public const string Library = "chdb";

    /// <summary><c>CHDBSuccess</c> in <c>enum chdb_state</c>.</summary>
    public const int Success = 0;

    /// <summary>Returns a pointer to the connection handle (<c>chdb_connection*</c>), or null on failure.</summary>
    [LibraryImport(Library)]
    public static partial nint chdb_connect(int argc, byte** argv);

    /// <summary>Takes the pointer <see cref="chdb_connect"/> returned, not the handle stored behind it.</summary>
    [LibraryImport(Library)]
    public static partial void chdb_close_conn(nint connectionPointer);

    [LibraryImport(Library)]
    public static partial nint chdb_query_n(nint connection, byte* query, nuint queryLength, byte* format, nuint formatLength);

    [LibraryImport(Library)]
    public static partial nint chdb_query_with_params_n(
        nint connection,
        byte* query, nuint queryLength,
        byte* format, nuint formatLength,
        byte** names, nuint* nameLengths,
        byte** values, nuint* valueLengths,
        nuint count);

    /// <summary>
    /// Starts a streamed <c>SELECT</c> (other statements fail with code 36). Never null; a result with an error failed
    /// to start (a syntax error); errors of the running query come with a fetched chunk. Destroy it once done.
    /// </summary>
    [LibraryImport(Library)]
    public static partial nint chdb_stream_query_with_params_n(
        nint connection,
        byte* query, nuint queryLength,
        byte* format, nuint formatLength,
        byte** names, nuint* nameLengths,
        byte** values, nuint* valueLengths,
        nuint count);

    /// <summary>
    /// Runs the stream to its next block's output: a chunk to destroy, with the error if the query failed and length 0
    /// at the end. After an error or the end, the stream is over (no cancel needed).
    /// </summary>
    [LibraryImport(Library)]
    public static partial nint chdb_stream_fetch_result(nint connection, nint stream);

    /// <summary>Stops a stream that has not ended; the stream itself is still destroyed afterwards.</summary>
    [LibraryImport(Library)]
    public static partial void chdb_stream_cancel_query(nint connection, nint stream);

    /// <summary>Never returns null; check <see cref="chdb_stream_insert_error"/> for a failed start.</summary>
    [LibraryImport(Library)]
    public static partial nint chdb_stream_insert_n(nint connection, byte* query, nuint queryLength, byte* format, nuint formatLength);

    /// <summary>Copies the chunk; returns <see cref="Success"/> or CHDBError once the stream has failed.</summary>
    [LibraryImport(Library)]
    public static partial int chdb_stream_append(nint stream, byte* data, nuint length);

    [LibraryImport(Library)]
    public static partial nint chdb_stream_done(nint stream);

    [LibraryImport(Library)]
    public static partial nint chdb_stream_insert_error(nint stream);

    /// <summary>Required for every insert stream, even after an error; cancels a stream that was not finished.</summary>
    [LibraryImport(Library)]
    public static partial void chdb_destroy_insert_stream(nint stream);

    [LibraryImport(Library)]
    public static partial byte* chdb_result_buffer(nint result);

    [LibraryImport(Library)]
    public static partial nuint chdb_result_length(nint result);

    /// <summary>Null or empty when the statement succeeded.</summary>
    [LibraryImport(Library)]
    public static partial nint chdb_result_error(nint result);

    [LibraryImport(Library)]
    public static partial ulong chdb_result_rows_written(nint result);

    [LibraryImport(Library)]
    public static partial void chdb_destroy_query_result(nint result);

    [LibraryImport(Library)]
    public static partial nint chdb_version();

    /// <summary>Must be called with 0 before the first connect (reference/chdb.md rule 1).</summary>
    [LibraryImport(Library)]
    public static partial void chdb_set_signal_handlers_enabled(int enabled);

    public static string? ReadString(nint utf8) => utf8 == 0 ? null : Marshal.PtrToStringUTF8(utf8);
}
