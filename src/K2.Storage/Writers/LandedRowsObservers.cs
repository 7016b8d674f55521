using K2.Core;

namespace K2.Storage.Writers;

/// <summary>Tells several observers of one writer what landed, in order (a writer takes one observer).</summary>
public sealed class LandedRowsObservers<TRow>(params ILandedRowsObserver<TRow>[] observers) : ILandedRowsObserver<TRow>
{
    public void Landed(IReadOnlyList<TRow> rows, UnixMicros? ingestTime)
    {
        foreach (var observer in observers)
        {
            observer.Landed(rows, ingestTime);
        }
    }
}
