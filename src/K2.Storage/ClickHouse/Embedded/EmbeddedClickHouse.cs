using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace K2.Storage.ClickHouse.Embedded;

/// <summary>
/// ClickHouse running inside this process (chDB) behind <see cref="IClickHouseClient"/>. Holds two small pools of
/// connections to one data directory (one for queries, one for inserts), each connection with a thread of its own
/// that makes the blocking native calls (<see cref="ChdbWorkerPool{TConnection}"/>), and closes every connection on
/// dispose and on process exit, since exiting with a connection open crashes in chDB's exit handlers
/// (reference/chdb.md rule 2). A cancellation token stops a request that has not started yet; a running statement
/// cannot be interrupted and is awaited to its end. Result readers run on those threads, before the native buffer is
/// freed.
/// </summary>
public sealed partial class EmbeddedClickHouse : IClickHouseClient, IDisposable
{
    private static readonly Lock ProcessGate = new();
    private static string? s_openDataPath;

    /// <summary>How long <see cref="Dispose"/> waits for running statements before it closes their connections anyway.</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(30);

    private readonly ChdbWorkerPool<ChdbConnection> _queries;
    private readonly ChdbWorkerPool<ChdbConnection> _inserts;
    private readonly ILogger _logger;
    private int _disposed;

    private EmbeddedClickHouse(string dataPath, List<ChdbConnection> queryConnections, List<ChdbConnection> insertConnections, ILogger logger)
    {
        DataPath = dataPath;
        _logger = logger;
        _queries = new ChdbWorkerPool<ChdbConnection>("query", queryConnections);
        _inserts = new ChdbWorkerPool<ChdbConnection>("insert", insertConnections);
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    public string DataPath { get; }

    /// <summary>
    /// Opens the engine on <see cref="EmbeddedClickHouseOptions.DataPath"/>. A process can have one data path open
    /// at a time (rule 5); another process holding the same path makes this fail with a clear message.
    /// </summary>
    public static EmbeddedClickHouse Open(EmbeddedClickHouseOptions options, ILogger<EmbeddedClickHouse> logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.QueryConnections, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.InsertConnections, 1);

        var libraryPath = ChdbLibrary.Load(options.LibraryPath);
        var dataPath = Path.GetFullPath(options.DataPath);
        Directory.CreateDirectory(dataPath);

        lock (ProcessGate)
        {
            if (s_openDataPath is not null)
            {
                throw new ClickHouseException(
                    $"This process already has the embedded ClickHouse open at {s_openDataPath}; it cannot also open {dataPath}.");
            }

            var connections = new List<ChdbConnection>();
            try
            {
                for (var i = 0; i < options.QueryConnections + options.InsertConnections; i++)
                {
                    var handle = ChdbConnectionHandle.Connect(["clickhouse", $"--path={dataPath}"]) ?? throw new ClickHouseException(
                        $"Could not open the embedded ClickHouse at {dataPath}. Another process (a running K2?) may own this " +
                        "data directory; only one process can use it at a time.");
                    connections.Add(new ChdbConnection(handle));
                }
            }
            catch
            {
                connections.ForEach(c => c.Dispose());
                throw;
            }

            s_openDataPath = dataPath;
            LogOpened(logger, dataPath, connections.Count, libraryPath);
            return new EmbeddedClickHouse(
                dataPath, connections[..options.QueryConnections], connections[options.QueryConnections..], logger);
        }
    }

    public Task ExecuteAsync(string sql, ClickHouseParameters? parameters, CancellationToken cancellationToken) =>
        QueryAsync<bool>(sql, parameters, ClickHouseFormats.TabSeparated, static _ => true, cancellationToken);

    public Task<T> QueryAsync<T>(
        string sql, ClickHouseParameters? parameters, string format, ClickHouseResultReader<T> read, CancellationToken cancellationToken) =>
        _queries.RunAsync(connection => connection.Query(sql, format, parameters, read), cancellationToken);

    /// <summary>
    /// Streams the rows into the INSERT; a deduplication token travels in the statement's SETTINGS clause (it has only
    /// letters, digits, '-' and '_', so it needs no escaping), since chDB's insert stream takes no separate settings.
    /// </summary>
    public Task<long> InsertAsync(string insertStatement, string format, ReadOnlyMemory<byte> data, string? deduplicationToken, CancellationToken cancellationToken)
    {
        InsertDeduplicationToken.ThrowIfInvalid(deduplicationToken);
        var statement = deduplicationToken is null ? insertStatement : $"{insertStatement} SETTINGS insert_deduplication_token = '{deduplicationToken}'";
        return _inserts.RunAsync(connection => connection.Insert(statement, format, data.Span), cancellationToken);
    }

    /// <summary>
    /// Fails requests that have not started with <see cref="ObjectDisposedException"/>, waits up to 30 s in all for
    /// running statements, and closes every connection once. Safe to call from a continuation or a result reader.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        _queries.Stop();
        _inserts.Stop();
        var started = Stopwatch.GetTimestamp();
        var queriesFinished = _queries.Close(CloseTimeout);
        var insertsFinished = _inserts.Close(CloseTimeout - Stopwatch.GetElapsedTime(started));
        if (!(queriesFinished && insertsFinished))
        {
            LogCloseTimedOut(_logger, DataPath, CloseTimeout);
        }

        lock (ProcessGate)
        {
            s_openDataPath = null;
        }

        LogClosed(_logger, DataPath);
    }

    private void OnProcessExit(object? sender, EventArgs e) => Dispose();

    [LoggerMessage(EventId = StorageEventIds.EmbeddedOpened, Level = LogLevel.Information,
        Message = "Embedded ClickHouse opened at {DataPath} with {Connections} connections ({LibraryPath})")]
    private static partial void LogOpened(ILogger logger, string dataPath, int connections, string libraryPath);

    [LoggerMessage(EventId = StorageEventIds.EmbeddedClosed, Level = LogLevel.Information, Message = "Embedded ClickHouse at {DataPath} closed")]
    private static partial void LogClosed(ILogger logger, string dataPath);

    [LoggerMessage(EventId = StorageEventIds.EmbeddedCloseTimedOut, Level = LogLevel.Warning,
        Message = "Embedded ClickHouse at {DataPath}: a statement was still running {Timeout} after close began; its connection closes when it returns")]
    private static partial void LogCloseTimedOut(ILogger logger, string dataPath, TimeSpan timeout);
}
