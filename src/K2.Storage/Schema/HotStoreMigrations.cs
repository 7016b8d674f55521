namespace K2.Storage.Schema;

/// <summary>
/// Every hot-store schema change in order. Append new migrations; never edit one that has shipped. <c>{db}</c> stands
/// for the configured database (validated by <see cref="HotStoreOptions.IsValidDatabaseName"/>).
/// </summary>
public static class HotStoreMigrations
{
    public const string MigrationsTable = "schema_migrations";

    public static IReadOnlyList<HotStoreMigration> All { get; } =
    [
        new(1, "silver_trades",
        [
            // Unified normalized trades. The sorting key leads with exchange time inside each instrument so time-range
            // and newest-first reads use the primary index; a trade's exchange time is a function of its id, so the
            // replacing key still deduplicates exactly on (exchange, symbol, trade_id).
            """
            CREATE TABLE IF NOT EXISTS {db}.silver_trades
            (
                exchange    LowCardinality(String),
                symbol      LowCardinality(String),
                raw_symbol  LowCardinality(String),
                trade_id    String,
                price       Decimal(18, 8),
                quantity    Decimal(18, 8),
                side        Enum8('buy' = 1, 'sell' = 2),
                exchange_ts DateTime64(6, 'UTC'),
                receipt_ts  DateTime64(6, 'UTC'),
                ingest_ts   DateTime64(6, 'UTC')
            )
            ENGINE = ReplacingMergeTree
            PARTITION BY toYYYYMMDD(exchange_ts)
            ORDER BY (exchange, symbol, exchange_ts, trade_id)
            TTL toDateTime(exchange_ts) + INTERVAL 30 DAY
            """,
        ]),
    ];

    /// <summary>The statement list of <paramref name="migration"/> with the database name in place.</summary>
    public static IEnumerable<string> Render(HotStoreMigration migration, string database) =>
        migration.Statements.Select(s => s.Replace("{db}", database, StringComparison.Ordinal));
}
