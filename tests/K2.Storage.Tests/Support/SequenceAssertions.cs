namespace K2.Storage.Tests.Support;

/// <summary>
/// Equality of large sequences (megabytes of a streamed result, tens of thousands of rows) that reports where they
/// first differ: Shouldly's element-by-element comparison and diff are too slow at that size.
/// </summary>
internal static class SequenceAssertions
{
    public static void ShouldBeSameBytes(this byte[] actual, byte[] expected, string? what = null)
    {
        var same = actual.AsSpan().CommonPrefixLength(expected);
        if (same != actual.Length || actual.Length != expected.Length)
        {
            throw new ShouldAssertException(
                $"{what ?? "bytes"}: {actual.Length} bytes where {expected.Length} were expected; they first differ at byte {same}.");
        }
    }

    public static void ShouldBeSameSequence(this IReadOnlyList<string> actual, IReadOnlyList<string> expected)
    {
        var count = Math.Min(actual.Count, expected.Count);
        for (var i = 0; i < count; i++)
        {
            if (!string.Equals(actual[i], expected[i], StringComparison.Ordinal))
            {
                throw new ShouldAssertException($"item {i} is \"{actual[i]}\" where \"{expected[i]}\" was expected.");
            }
        }

        if (actual.Count != expected.Count)
        {
            throw new ShouldAssertException($"{actual.Count} items where {expected.Count} were expected.");
        }
    }
}
