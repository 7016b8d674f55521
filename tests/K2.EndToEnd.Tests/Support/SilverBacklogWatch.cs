using System.Text.Json;

namespace K2.EndToEnd.Tests.Support;

/// <summary>
/// Reads every given silo's silver writer backlog (<c>hot_store.silver_rows_buffered</c> of <c>/v1/status</c>: rows
/// the writer accepted and has not inserted yet, buffered plus in flight) every <see cref="Interval"/> until disposed,
/// and keeps the largest value seen per silo.
/// </summary>
internal sealed class SilverBacklogWatch : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private readonly IReadOnlyList<ClusterSilo> _silos;
    private readonly Dictionary<int, long> _largest = [];
    private readonly CancellationTokenSource _stop;
    private readonly Lock _gate = new();
    private readonly Task _loop;
    private int _samples;
    private int _unanswered;

    private SilverBacklogWatch(IReadOnlyList<ClusterSilo> silos, CancellationToken ct)
    {
        _silos = silos;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _loop = Task.Run(RunAsync, CancellationToken.None);
    }

    public static SilverBacklogWatch Start(IReadOnlyList<ClusterSilo> silos, CancellationToken ct) => new(silos, ct);

    /// <summary>The largest backlog seen, by silo number.</summary>
    public IReadOnlyDictionary<int, long> Largest
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<int, long>(_largest);
            }
        }
    }

    /// <summary>Answers read (one per silo each round), and requests that got none (a silo busy or gone).</summary>
    public (int Samples, int Unanswered) Counts => (Volatile.Read(ref _samples), Volatile.Read(ref _unanswered));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await Task.WhenAll(_silos.Select(ReadAsync));
            try
            {
                await Task.Delay(Interval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ReadAsync(ClusterSilo silo)
    {
        long rows;
        try
        {
            var status = await silo.Process.GetJsonAsync("/v1/status", _stop.Token);
            rows = status.GetProperty("hot_store").GetProperty("silver_rows_buffered").GetInt64();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            if (!_stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref _unanswered);
            }

            return;
        }

        Interlocked.Increment(ref _samples);
        lock (_gate)
        {
            _largest[silo.Number] = Math.Max(rows, _largest.GetValueOrDefault(silo.Number));
        }
    }
}
