using K2.Core;

namespace K2.Storage.History;

/// <summary>How many stored rows of a range lie in one UTC hour (starting at <see cref="Hour"/>), both tiers together.</summary>
public readonly record struct HourRows(UnixMicros Hour, long Rows);
