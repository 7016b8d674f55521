namespace K2.Testing;

/// <summary>How <see cref="PostgresServer.StopAsync"/> takes the server down (<c>pg_ctl stop -m</c>).</summary>
public enum PostgresStopMode
{
    /// <summary>As a crash: every server process quits at once; the next start recovers from the write-ahead log.</summary>
    Immediate,

    /// <summary>A clean shutdown: clients are disconnected, open transactions rolled back, and a checkpoint written.</summary>
    Fast,
}
