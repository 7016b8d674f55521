namespace K2.Storage.ClickHouse.Embedded;

/// <summary>A unit of native work queued on a <see cref="ChdbWorkerPool{TConnection}"/>; see <see cref="ChdbWorkItem{TConnection, T}"/>.</summary>
internal interface IChdbWorkItem<in TConnection>
{
    /// <summary>Runs the work on <paramref name="connection"/> unless it was cancelled or failed first. Never throws.</summary>
    void Run(TConnection connection);

    /// <summary>Completes the item with <paramref name="error"/> unless it already started or was cancelled. Never throws.</summary>
    void Fail(Exception error);
}
