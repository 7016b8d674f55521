using System.Globalization;

namespace K2.Benchmarks.HotStore;

/// <summary><c>--name value</c> options of a load harness; an option the harness does not know is an error.</summary>
internal sealed class HarnessArguments
{
    private readonly Dictionary<string, string> _values;

    private HarnessArguments(Dictionary<string, string> values) => _values = values;

    public static HarnessArguments Parse(IReadOnlyList<string> args, params string[] known)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i += 2)
        {
            if (!known.Contains(args[i]) || i + 1 == args.Count)
            {
                throw new ArgumentException($"Unknown option or missing value: '{args[i]}'. Options: {string.Join(", ", known)} (each followed by a value).");
            }

            values[args[i]] = args[i + 1];
        }

        return new HarnessArguments(values);
    }

    public long Int64(string name, long defaultValue, long min) => OptionalInt64(name, min) ?? defaultValue;

    /// <summary>The option's value, or null when it was not given.</summary>
    public long? OptionalInt64(string name, long min) =>
        _values.TryGetValue(name, out var text) ? Validated(name, long.Parse(text, CultureInfo.InvariantCulture), min) : null;

    public double Double(string name, double defaultValue, double min) =>
        _values.TryGetValue(name, out var text) ? Validated(name, double.Parse(text, CultureInfo.InvariantCulture), min) : defaultValue;

    /// <summary>The option's value, one of <paramref name="allowed"/>; <paramref name="defaultValue"/> when not given.</summary>
    public string Choice(string name, string defaultValue, params string[] allowed) =>
        !_values.TryGetValue(name, out var text) ? defaultValue
        : allowed.Contains(text) ? text
        : throw new ArgumentOutOfRangeException(name, text, $"{name} must be one of {string.Join(", ", allowed)}.");

    private static T Validated<T>(string name, T value, T min)
        where T : IComparable<T> =>
        value.CompareTo(min) >= 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least {min}.");
}
