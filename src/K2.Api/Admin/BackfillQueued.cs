namespace K2.Api.Admin;

/// <summary>The answer to <c>POST /v1/admin/backfill</c>: what was queued, and how many requests the exchange's worker has before it.</summary>
internal sealed record BackfillQueued(string Exchange, string Symbol, DateTimeOffset From, DateTimeOffset To, int QueuedAhead);
