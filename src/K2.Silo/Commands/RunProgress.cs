namespace K2.Silo.Commands;

/// <summary>
/// The progress display of a long <c>k2</c> command. Each finished item's line goes to the output as soon as it is
/// known (the output is the command's result, for scripts), and while items are left a status line goes to the error
/// writer every <c>interval</c>, so someone watching an offload of a large backlog sees that it moves and how far it is.
/// Items may finish on several threads at once.
/// </summary>
internal sealed class RunProgress<T> : IProgress<T>, IDisposable
{
    private readonly Lock _gate = new();
    private readonly string _command;
    private readonly int _total;
    private readonly string _items;
    private readonly Func<T, string> _describe;
    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly ITimer _timer;
    private int _done;
    private bool _disposed;

    public RunProgress(
        string command, int total, string items, Func<T, string> describe, TextWriter output, TextWriter error, TimeProvider time, TimeSpan interval)
    {
        _command = command;
        _total = total;
        _items = items;
        _describe = describe;
        _output = output;
        _error = error;
        _time = time;
        _started = time.GetTimestamp();
        _timer = time.CreateTimer(_ => WriteStatus(), null, interval, interval);
    }

    public void Report(T value)
    {
        lock (_gate)
        {
            _output.WriteLine(_describe(value));
            _output.Flush();
            _done++;
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        lock (_gate)
        {
            _disposed = true; // a callback already running writes nothing after the command's summary
        }
    }

    private void WriteStatus()
    {
        lock (_gate)
        {
            if (_disposed || _done >= _total)
            {
                return;
            }

            var elapsed = _time.GetElapsedTime(_started);
            try
            {
                _error.WriteLine($"k2 {_command}: {_done} of {_total} {_items} done, {(int)elapsed.TotalMinutes}:{elapsed.Seconds:00} elapsed");
                _error.Flush();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // stderr closed (piped into a command that exited): the status is a courtesy, the run goes on
            }
        }
    }
}
