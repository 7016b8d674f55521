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
            // Unified normalized trades, deduplicated on (exchange, symbol, trade_id): the replacing key is exactly that,
            // whatever path (WebSocket, REST backfill) and timestamp precision a copy arrived with; the latest write
            // wins. Ids of one instrument have equal length in practice, so key order follows time and the minmax
            // index on exchange_ts prunes time-range reads to a few granules.
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
                ingest_ts   DateTime64(6, 'UTC'),
                INDEX exchange_ts_minmax exchange_ts TYPE minmax GRANULARITY 1
            )
            ENGINE = ReplacingMergeTree(ingest_ts)
            PARTITION BY toYYYYMMDD(exchange_ts)
            ORDER BY (exchange, symbol, trade_id)
            TTL toDateTime(exchange_ts) + INTERVAL 30 DAY
            """,
        ]),
        new(2, "bronze_trades", [BronzeTable("binance"), BronzeTable("kraken"), BronzeTable("coinbase")]),
    ];

    /// <summary>
    /// One row per trade as received on each exchange, valid or rejected: typed fields where they parsed, the raw frame
    /// (compressed hard: trades of one frame repeat it), and the validation errors. Partitioned by receipt day, since a
    /// rejected trade may have no readable exchange time.
    /// </summary>
    private static string BronzeTable(string exchange) =>
        $$"""
        CREATE TABLE IF NOT EXISTS {db}.bronze_trades_{{exchange}}
        (
            receipt_ts        DateTime64(6, 'UTC'),
            source            Enum8('websocket' = 1, 'rest' = 2),
            connection_id     String,
            frame_seq         Int64,
            trade_index       Int32,
            raw_symbol        String,
            symbol            LowCardinality(String),
            trade_id          String,
            price             Nullable(Decimal(18, 8)),
            quantity          Nullable(Decimal(18, 8)),
            side              Nullable(Enum8('buy' = 1, 'sell' = 2)),
            exchange_ts       Nullable(DateTime64(6, 'UTC')),
            raw_frame         String CODEC(ZSTD(3)),
            reject_reason     LowCardinality(String),
            validation_errors Array(String),
            ingest_ts         DateTime64(6, 'UTC')
        )
        ENGINE = MergeTree
        PARTITION BY toYYYYMMDD(receipt_ts)
        ORDER BY (symbol, receipt_ts, connection_id, frame_seq, trade_index)
        TTL toDateTime(receipt_ts) + INTERVAL 30 DAY
        """;

    /// <summary>The statement list of <paramref name="migration"/> with the database name in place.</summary>
    public static IEnumerable<string> Render(HotStoreMigration migration, string database) =>
        migration.Statements.Select(s => s.Replace("{db}", database, StringComparison.Ordinal));
}
