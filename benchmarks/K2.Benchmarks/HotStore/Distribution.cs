using System.Globalization;

namespace K2.Benchmarks.HotStore;

/// <summary>Nearest-rank percentiles of a sample, for the harnesses' reports.</summary>
internal static class Distribution
{
    /// <summary>The smallest value with at least <paramref name="percent"/>% of the sample at or below it.</summary>
    public static double Percentile(double[] sorted, double percent)
    {
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    /// <summary>One line: count, min, p50, p90, p99, max and mean, each formatted with <paramref name="format"/>.</summary>
    public static string Describe(IEnumerable<double> values, string format)
    {
        double[] sorted = [.. values.Order()];
        if (sorted.Length == 0)
        {
            return "none";
        }

        string F(double v) => v.ToString(format, CultureInfo.InvariantCulture);
        return $"n={sorted.Length}  min {F(sorted[0])}  p50 {F(Percentile(sorted, 50))}  p90 {F(Percentile(sorted, 90))}  " +
               $"p99 {F(Percentile(sorted, 99))}  max {F(sorted[^1])}  mean {F(sorted.Average())}";
    }
}
