using System.Globalization;
using System.Text;

namespace K2.Testing;

/// <summary>One sample of a Prometheus text-format scrape: its series name, labels and value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// A scrape in Prometheus' text format 0.0.4, read into the families' TYPE and HELP lines and the samples, so tests
/// can look values up by name and labels.
/// </summary>
public sealed class PrometheusText
{
    private PrometheusText(Dictionary<string, string> types, Dictionary<string, string> helps, List<PrometheusSample> samples)
    {
        Types = types;
        Helps = helps;
        Samples = samples;
    }

    /// <summary>Family name → its TYPE (counter, gauge, histogram, …).</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    /// <summary>Family name → its HELP text.</summary>
    public IReadOnlyDictionary<string, string> Helps { get; }

    public IReadOnlyList<PrometheusSample> Samples { get; }

    public static PrometheusText Parse(string text)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var helps = new Dictionary<string, string>(StringComparer.Ordinal);
        var samples = new List<PrometheusSample>();
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line["# TYPE ".Length..].Split(' ', 2);
                types.Add(parts[0], parts[1]);
            }
            else if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var parts = line["# HELP ".Length..].Split(' ', 2);
                helps.Add(parts[0], parts.Length > 1 ? parts[1] : "");
            }
            else if (line.Length > 0 && line[0] != '#')
            {
                samples.Add(ParseSample(line));
            }
        }

        return new PrometheusText(types, helps, samples);
    }

    /// <summary>The samples of one series name whose labels include every one of <paramref name="labels"/>.</summary>
    public IEnumerable<PrometheusSample> Find(string name, params (string Key, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value));

    /// <summary>The one sample of <paramref name="name"/> with exactly <paramref name="labels"/> (beside none other).</summary>
    public double Value(string name, params (string Key, string Value)[] labels) =>
        Find(name, labels).Single(s => s.Labels.Count == labels.Length).Value;

    private static PrometheusSample ParseSample(string line)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var nameEnd = line.IndexOfAny(['{', ' ']);
        var name = line[..nameEnd];
        var at = nameEnd;
        if (line[at] == '{')
        {
            at++;
            while (line[at] != '}')
            {
                var eq = line.IndexOf('=', at);
                var key = line[at..eq];
                at = eq + 2; // past ="
                var value = new StringBuilder();
                while (line[at] != '"')
                {
                    if (line[at] == '\\')
                    {
                        at++;
                        value.Append(line[at] == 'n' ? '\n' : line[at]);
                    }
                    else
                    {
                        value.Append(line[at]);
                    }

                    at++;
                }

                labels.Add(key, value.ToString());
                at++; // past the closing quote
                if (line[at] == ',')
                {
                    at++;
                }
            }

            at++; // past }
        }

        // The value, then an optional timestamp.
        var rest = line[at..].Trim().Split(' ');
        return new PrometheusSample(name, labels, double.Parse(rest[0], NumberStyles.Float, CultureInfo.InvariantCulture));
    }
}
