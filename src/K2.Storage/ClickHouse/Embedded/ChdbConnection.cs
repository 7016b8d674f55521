using System.Text;
using System.Threading.Channels;

namespace K2.Storage.ClickHouse.Embedded;

/// <summary>
/// One chDB connection. A connection runs one statement at a time (reference/chdb.md rule 6): only its own thread in
/// <see cref="ChdbWorkerPool{TConnection}"/> calls it. Each call holds a reference on the handle, so closing the
/// connection during a call defers <c>chdb_close_conn</c> until the call returns.
/// </summary>
internal sealed unsafe class ChdbConnection(ChdbConnectionHandle handle) : IDisposable
{
    /// <summary>Runs a statement and hands its result buffer to <paramref name="read"/> before the buffer is freed.</summary>
    public T Query<T>(string sql, string format, ClickHouseParameters? parameters, ClickHouseResultReader<T> read)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var result = parameters is { Values.Count: > 0 }
                ? QueryWithParameters(handle.Connection, sql, format, parameters)
                : QueryPlain(handle.Connection, sql, format);
            try
            {
                try
                {
                    ThrowIfError(result, sql);
                }
                catch (ClickHouseException)
                {
                    DiscardLeftoverOutput(handle.Connection);
                    throw;
                }

                var buffer = ChdbNative.chdb_result_buffer(result);
                var length = checked((int)ChdbNative.chdb_result_length(result));
                return read(buffer == null ? [] : new ReadOnlySpan<byte>(buffer, length));
            }
            finally
            {
                ChdbNative.chdb_destroy_query_result(result);
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Streams a <c>SELECT</c>'s output into <paramref name="chunks"/>: each block's output is copied into a pooled array
    /// and its native chunk freed at once. It waits for room in <paramref name="chunks"/> before it asks for the next
    /// block, so the engine computes one block ahead of the caller's writes and no further. <paramref name="stop"/> is
    /// checked before each block: chDB can only cancel a stream between blocks, and a cancelled stream leaves the
    /// connection ready for the next statement. An error ends the stream with a <see cref="ClickHouseException"/>,
    /// after the chunks that came before it.
    /// </summary>
    public void Stream(string sql, string format, ClickHouseParameters? parameters, ChannelWriter<NativeChunk> chunks, CancellationToken stop)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var connection = handle.Connection;
            var stream = StartStream(connection, sql, format, parameters);
            try
            {
                ThrowIfError(stream, sql); // failed to start (a syntax error, a statement other than SELECT)
                var over = false;
                try
                {
                    while (!over)
                    {
                        WaitForRoom(chunks, stop);
                        var chunk = ChdbNative.chdb_stream_fetch_result(connection, stream);
                        NativeChunk? output = null;
                        try
                        {
                            var error = chunk == 0 ? null : ChdbNative.ReadString(ChdbNative.chdb_result_error(chunk));
                            var length = chunk == 0 ? 0 : ChdbNative.chdb_result_length(chunk);
                            over = chunk != 0 && (error is { Length: > 0 } || length == 0); // chDB ends the stream itself
                            ThrowIfError(chunk, sql);
                            if (length > 0)
                            {
                                output = new NativeChunk(chunk, ChunkLength(length));
                            }
                        }
                        finally
                        {
                            if (output is null)
                            {
                                ChdbNative.chdb_destroy_query_result(chunk);
                            }
                        }

                        if (output is not null && !chunks.TryWrite(output))
                        {
                            output.Release();
                            throw new InvalidOperationException("The streamed result's reader stopped taking chunks.");
                        }
                    }
                }
                finally
                {
                    if (!over)
                    {
                        ChdbNative.chdb_stream_cancel_query(connection, stream);
                    }
                }
            }
            finally
            {
                ChdbNative.chdb_destroy_query_result(stream);
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Streams <paramref name="data"/> into an INSERT (rule 3: data never goes inline in the query text).
    /// Returns the rows written, including rows written by materialized views.
    /// </summary>
    public long Insert(string insertStatement, string format, ReadOnlySpan<byte> data)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var query = Encoding.UTF8.GetBytes(insertStatement);
            var formatBytes = Encoding.UTF8.GetBytes(format);
            nint stream;
            fixed (byte* q = query)
            fixed (byte* f = formatBytes)
            {
                stream = ChdbNative.chdb_stream_insert_n(handle.Connection, q, (nuint)query.Length, f, (nuint)formatBytes.Length);
            }

            try
            {
                if (ChdbNative.ReadString(ChdbNative.chdb_stream_insert_error(stream)) is { Length: > 0 } startError)
                {
                    throw new ClickHouseException($"{startError} (statement: {insertStatement})");
                }

                fixed (byte* d = data)
                {
                    if (data.Length > 0 && ChdbNative.chdb_stream_append(stream, d, (nuint)data.Length) != ChdbNative.Success)
                    {
                        var appendError = ChdbNative.ReadString(ChdbNative.chdb_stream_insert_error(stream));
                        throw new ClickHouseException($"{appendError ?? "insert stream rejected the data"} (statement: {insertStatement})");
                    }
                }

                var result = ChdbNative.chdb_stream_done(stream);
                try
                {
                    ThrowIfError(result, insertStatement);
                    return (long)ChdbNative.chdb_result_rows_written(result);
                }
                finally
                {
                    ChdbNative.chdb_destroy_query_result(result);
                }
            }
            finally
            {
                ChdbNative.chdb_destroy_insert_stream(stream);
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    public void Dispose() => handle.Dispose();

    private static nint QueryPlain(nint connection, string sql, string format)
    {
        var query = Encoding.UTF8.GetBytes(sql);
        var formatBytes = Encoding.UTF8.GetBytes(format);
        fixed (byte* q = query)
        fixed (byte* f = formatBytes)
        {
            return ChdbNative.chdb_query_n(connection, q, (nuint)query.Length, f, (nuint)formatBytes.Length);
        }
    }

    private static nint QueryWithParameters(nint connection, string sql, string format, ClickHouseParameters parameters)
    {
        var query = Encoding.UTF8.GetBytes(sql);
        var formatBytes = Encoding.UTF8.GetBytes(format);
        using var arrays = new ChdbParameterArrays(parameters);
        fixed (byte* q = query)
        fixed (byte* f = formatBytes)
        {
            return ChdbNative.chdb_query_with_params_n(
                connection, q, (nuint)query.Length, f, (nuint)formatBytes.Length,
                arrays.Names, arrays.NameLengths, arrays.Values, arrays.ValueLengths, arrays.Count);
        }
    }

    /// <summary>Always the <c>_with_params_n</c> form: the one stream entry point with explicit lengths for everything.</summary>
    private static nint StartStream(nint connection, string sql, string format, ClickHouseParameters? parameters)
    {
        var query = Encoding.UTF8.GetBytes(sql);
        var formatBytes = Encoding.UTF8.GetBytes(format);
        using var arrays = new ChdbParameterArrays(parameters);
        fixed (byte* q = query)
        fixed (byte* f = formatBytes)
        {
            return ChdbNative.chdb_stream_query_with_params_n(
                connection, q, (nuint)query.Length, f, (nuint)formatBytes.Length,
                arrays.Names, arrays.NameLengths, arrays.Values, arrays.ValueLengths, arrays.Count);
        }
    }

    /// <summary>
    /// Blocks until <paramref name="chunks"/> has room, or throws <see cref="OperationCanceledException"/> once
    /// <paramref name="stop"/> is cancelled. This runs on the connection's own thread, outside the thread pool, which
    /// is there to block on chDB and on its caller.
    /// </summary>
    private static void WaitForRoom(ChannelWriter<NativeChunk> chunks, CancellationToken stop)
    {
        var wait = chunks.WaitToWriteAsync(stop);
        if (!(wait.IsCompleted ? wait.Result : wait.AsTask().GetAwaiter().GetResult()))
        {
            throw new InvalidOperationException("The streamed result's reader stopped taking chunks.");
        }
    }

    private static int ChunkLength(nuint length) =>
        length <= (nuint)Array.MaxLength
            ? (int)length
            : throw new ClickHouseException($"One block's output is {length} bytes, more than one array can hold; lower max_block_size.");

    /// <summary>
    /// chDB 26.7 keeps the output a query produced before it failed (its rows up to the failing block) and puts it in
    /// front of the next result on the same connection: after <c>SELECT number, throwIf(number = 1500000) FROM
    /// numbers(2000000) SETTINGS max_block_size = 1000</c> failed, a later <c>SELECT 42</c> on that connection returned
    /// 13,500,003 bytes (measured). A throwaway query takes the leftover, so the next caller gets only its own result.
    /// </summary>
    private static void DiscardLeftoverOutput(nint connection)
    {
        var drain = QueryPlain(connection, "SELECT 1", ClickHouseFormats.RowBinary);
        if (drain != 0)
        {
            ChdbNative.chdb_destroy_query_result(drain);
        }
    }

    private static void ThrowIfError(nint result, string sql)
    {
        if (result == 0)
        {
            throw new ClickHouseException($"chDB returned no result (statement: {Abbreviate(sql)})");
        }

        if (ChdbNative.ReadString(ChdbNative.chdb_result_error(result)) is { Length: > 0 } error)
        {
            throw new ClickHouseException($"{error.Trim()} (statement: {Abbreviate(sql)})");
        }
    }

    private static string Abbreviate(string sql) => sql.Length <= 300 ? sql : string.Concat(sql.AsSpan(0, 300), "…");
}
