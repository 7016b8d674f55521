namespace K2.Grains;

/// <summary>
/// Log event ids of K2.Grains (3000-3999), so operators can grep one id across processes.
/// 3100-3199: exchange sessions, gaps and backfill. 3200-3299: exchange shards and their keeper.
/// </summary>
public static class GrainsEventIds
{
    public const int ExchangeConnected = 3101;
    public const int ExchangeSubscribed = 3102;
    public const int ExchangeRequestError = 3103;
    public const int ExchangeServerShutdown = 3104;
    public const int ExchangeFrameRejected = 3105;
    public const int ExchangeConnectionFailed = 3106;
    public const int ExchangeClosedByServer = 3108;
    public const int ExchangeConnectionLost = 3109;
    public const int ExchangeFrameHandlingFailed = 3110;
    public const int ExchangeStale = 3111;
    public const int ExchangeSubscribeTimedOut = 3112;
    public const int ExchangeReplacing = 3113;
    public const int ExchangeReplaced = 3114;
    public const int ExchangeSequenceGap = 3115;
    public const int GapDetected = 3120;
    public const int GapRepaired = 3121;
    public const int GapAbandoned = 3122;
    public const int BackfillFailed = 3123;
    public const int BackfillQueueFull = 3124;
    public const int InstrumentResumed = 3125;
    public const int InstrumentResumeRetry = 3126;
    public const int InstrumentResumeFailed = 3127;
    public const int BackfillFetched = 3128;
    public const int BackfillRateLimited = 3129;
    public const int BackfillRetrying = 3130;
    public const int BackfillWorkerFailed = 3131;
    public const int BackfillSkipped = 3132;
    public const int CandleRecomputeRetry = 3133;
    public const int CandleBucketsOwed = 3143;
    public const int BackfillThrottled = 3134;
    public const int GapOverdue = 3135;
    public const int QuietProbe = 3136;
    public const int StoreBusy = 3137;
    public const int StoreTakesTradesAgain = 3138;
    public const int RequestedBackfillStored = 3139;
    public const int InstrumentWithoutShard = 3140;
    public const int ExchangeGrainUnreachable = 3141;
    public const int BackfillsAskedAgain = 3142;
    public const int ExchangeRejectionsSuppressed = 3116;
    public const int ExchangeReconnecting = 3107;
    public const int ExchangeShardStarted = 3201;
    public const int ExchangeShardStopped = 3202;
    public const int ExchangeShardNotRunning = 3203;
    public const int ExchangeShardPingFailed = 3204;
    public const int ExchangeShardSessionEnded = 3205;
    public const int ExchangeShardsStopCutShort = 3206;
    public const int ExchangeShardHandedOver = 3207;
    public const int ExchangeShardHandingOver = 3208;
    public const int ExchangeShardHandOverFailed = 3209;
    public const int ExchangeShardStartedAfterHandOver = 3210;
}
