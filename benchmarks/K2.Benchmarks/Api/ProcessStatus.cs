using System.Globalization;

namespace K2.Benchmarks.Api;

/// <summary>
/// Another process's CPU time (<c>/proc/PID/stat</c>) and resident memory (<c>/proc/PID/status</c>): the current RSS,
/// the peak (<c>VmHWM</c>) and a reset of the peak to the current RSS (writing 5 to <c>/proc/PID/clear_refs</c>, Linux
/// 4.0+; the process must be ours).
/// </summary>
internal sealed class ProcessStatus(int pid)
{
    /// <summary>User plus system CPU time (fields 14 and 15 of <c>/proc/PID/stat</c>, in ticks of 1/100 s).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            const double TicksPerSecond = 100;
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return TimeSpan.FromSeconds((long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond);
        }
    }

    public long RssBytes => Field("VmRSS");

    public long PeakBytes => Field("VmHWM");

    public void ResetPeak() => File.WriteAllText($"/proc/{pid}/clear_refs", "5");

    /// <summary>
    /// Samples the RSS every <paramref name="interval"/> until <paramref name="stop"/> is cancelled and returns the
    /// highest seen: the peak as the samples saw it, beside the kernel's <c>VmHWM</c>.
    /// </summary>
    public async Task<long> HighestSampledAsync(TimeSpan interval, CancellationToken stop)
    {
        var highest = RssBytes;
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                highest = Math.Max(highest, RssBytes);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // the export is over
        }

        return Math.Max(highest, RssBytes);
    }

    private long Field(string name)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(name + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
