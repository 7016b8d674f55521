using Microsoft.Extensions.Options;

namespace K2.Storage.Hosting;

/// <summary>
/// Collects what is wrong with one configuration section, each message starting with the section and the key as an
/// operator sets them (<c>K2:Storage:Writers: MaxBatchRows must be at least 1 (is -5).</c>). Every K2 options validator
/// reports through it, so all of them read alike.
/// </summary>
public sealed class SectionProblems(string section)
{
    private readonly List<string> _problems = [];

    public IReadOnlyList<string> All => _problems;

    /// <summary>Reports <paramref name="problem"/> about <paramref name="key"/>, a path relative to the section (<c>S3:Bucket</c>).</summary>
    public void Add(string key, string problem) => _problems.Add($"{section}: {key} {problem}");

    public void AtLeast(string key, long value, long minimum)
    {
        if (value < minimum)
        {
            Add(key, $"must be at least {minimum} (is {value}).");
        }
    }

    public void Between(string key, long value, long minimum, long maximum, string why)
    {
        if (value < minimum || value > maximum)
        {
            Add(key, $"must be between {minimum} and {maximum}, {why} (is {value}).");
        }
    }

    /// <summary>A time span that must pass before something happens: above zero and finite.</summary>
    public void Positive(string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero || value == Timeout.InfiniteTimeSpan)
        {
            Add(key, $"must be positive and finite (is {value}).");
        }
    }

    public void NotNegative(string key, TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            Add(key, $"must not be negative (is {value}).");
        }
    }

    /// <summary>Two spans that bound each other, such as a first and a longest retry delay.</summary>
    public void NotAbove(string lowKey, TimeSpan low, string highKey, TimeSpan high)
    {
        if (low > high)
        {
            Add(lowKey, $"({low}) must not exceed {highKey} ({high}).");
        }
    }

    public void NotEmpty(string key, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(key, "must not be empty.");
        }
    }

    /// <summary>An absolute URL in one of <paramref name="schemes"/>: a relative one would resolve against nothing.</summary>
    public void AbsoluteUrl(string key, Uri? value, params string[] schemes)
    {
        if (value is not { IsAbsoluteUri: true } || !schemes.Contains(value.Scheme, StringComparer.Ordinal))
        {
            Add(key, $"must be an absolute {string.Join(" or ", schemes)} URL (is '{value}').");
        }
    }

    public ValidateOptionsResult ToResult() => _problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_problems);
}
