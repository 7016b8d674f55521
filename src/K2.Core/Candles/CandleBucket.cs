namespace K2.Core.Candles;

/// <summary>One bucket of one timeframe: trades with <c>Start &lt;= exchange time &lt; End</c>.</summary>
public readonly record struct CandleBucket(Timeframe Timeframe, UnixMicros Start)
{
    public UnixMicros End => new(Start.Value + Timeframe.DurationMicros());

    public static CandleBucket Of(Timeframe timeframe, UnixMicros time) => new(timeframe, timeframe.BucketStart(time));

    public override string ToString() => $"{Timeframe.ToName()}@{Start}";
}
