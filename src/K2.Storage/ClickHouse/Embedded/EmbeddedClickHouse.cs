using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace K2.Storage.ClickHouse.Embedded;

/// <summary>
/// ClickHouse running inside this process (chDB) behind <see cref="IClickHouseClient"/>. Holds two small pools of
/// connections to one data directory (one for queries, one for inserts) and closes every connection on dispose and
/// on process exit, since exiting with a connection open crashes in chDB's exit handlers (reference/chdb.md rule 2).
/// </summary>
public sealed partial class EmbeddedClickHouse : IClickHouseClient, IDisposable
{
    private static readonly Lock ProcessGate = new();
    private static string? s_openDataPath;

    private readonly Channel<ChdbConnection> _queryPool;
    private readonly Channel<ChdbConnection> _insertPool;
    private readonly List<ChdbConnection> _connections;
    private readonly ILogger _logger;
    private int _disposed;

    private EmbeddedClickHouse(string dataPath, List<ChdbConnection> queryConnections, List<ChdbConnection> insertConnections, ILogger logger)
    {
        DataPath = dataPath;
        _logger = logger;
        _connections = [.. queryConnections, .. insertConnections];
        _queryPool = CreatePool(queryConnections);
        _insertPool = CreatePool(insertConnections);
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

    public async Task<T> QueryAsync<T>(
        string sql, ClickHouseParameters? parameters, string format, ClickHouseResultReader<T> read, CancellationToken cancellationToken)
    {
        var connection = await RentAsync(_queryPool, cancellationToken);
        try
        {
            return connection.Query(sql, format, parameters, read);
        }
        finally
        {
            _queryPool.Writer.TryWrite(connection);
        }
    }

    public async Task<long> InsertAsync(string insertStatement, string format, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var connection = await RentAsync(_insertPool, cancellationToken);
        try
        {
            return connection.Insert(insertStatement, format, data.Span);
        }
        finally
        {
            _insertPool.Writer.TryWrite(connection);
        }
    }

    /// <summary>Closes every connection. Callers must have finished their statements (the host stops writers first).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        _queryPool.Writer.TryComplete();
        _insertPool.Writer.TryComplete();
        foreach (var connection in _connections)
        {
            connection.Dispose();
        }

        lock (ProcessGate)
        {
            s_openDataPath = null;
        }

        LogClosed(_logger, DataPath);
    }

    private void OnProcessExit(object? sender, EventArgs e) => Dispose();

    private async ValueTask<ChdbConnection> RentAsync(Channel<ChdbConnection> pool, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed == 1, this);
        try
        {
            return await pool.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(EmbeddedClickHouse));
        }
    }

    private static Channel<ChdbConnection> CreatePool(List<ChdbConnection> connections)
    {
        var pool = Channel.CreateUnbounded<ChdbConnection>();
        connections.ForEach(c => pool.Writer.TryWrite(c));
        return pool;
    }

    [LoggerMessage(EventId = StorageEventIds.EmbeddedOpened, Level = LogLevel.Information,
        Message = "Embedded ClickHouse opened at {DataPath} with {Connections} connections ({LibraryPath})")]
    private static partial void LogOpened(ILogger logger, string dataPath, int connections, string libraryPath);

    [LoggerMessage(EventId = StorageEventIds.EmbeddedClosed, Level = LogLevel.Information, Message = "Embedded ClickHouse at {DataPath} closed")]
    private static partial void LogClosed(ILogger logger, string dataPath);
}
