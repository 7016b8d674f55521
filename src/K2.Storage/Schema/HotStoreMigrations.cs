namespace K2.Storage.Schema;

/// <summary>
/// Every hot-store schema change in order. Append new migrations; never edit one that has shipped. <c>{db}</c> stands
/// for the configured database (validated by <see cref="HotStoreOptions.IsValidDatabaseName"/>).
/// </summary>
public static class HotStoreMigrations
{
    public const string MigrationsTable = "schema_migrations";

    /// <summary>Blocks of recent inserts whose tokens (or hashes) a bronze table remembers (migration 5).</summary>
    public const int BronzeDeduplicationWindow = 10_000;

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
        new(3, "ohlcv",
        [
            // Candles of every timeframe, written by the instrument grains; a correction is a new row with a higher
            // version, and the highest version of a bucket wins. Sums are Decimal128: volumes keep the trades' scale
            // (8), quote volume and vwap the scale of price times quantity (16), so nothing rounds but vwap, which is
            // truncated as ClickHouse's decimal division does. Signed integers only, since Iceberg has no unsigned ones.
            """
            CREATE TABLE IF NOT EXISTS {db}.ohlcv
            (
                exchange     LowCardinality(String),
                symbol       LowCardinality(String),
                timeframe    LowCardinality(String),
                bucket_start DateTime64(6, 'UTC'),
                open         Decimal(18, 8),
                high         Decimal(18, 8),
                low          Decimal(18, 8),
                close        Decimal(18, 8),
                volume       Decimal(38, 8),
                quote_volume Decimal(38, 16),
                buy_volume   Decimal(38, 8),
                sell_volume  Decimal(38, 8),
                trade_count  Int64,
                vwap         Decimal(38, 16),
                version      Int64,
                updated_at   DateTime64(6, 'UTC')
            )
            ENGINE = ReplacingMergeTree(version)
            PARTITION BY toYYYYMMDD(bucket_start)
            ORDER BY (exchange, symbol, timeframe, bucket_start)
            TTL toDateTime(bucket_start) + INTERVAL 30 DAY
            """,
        ]),
        // Every offload finds its slice by ingest time, which no table is partitioned or sorted by: without an index each
        // cycle reads that column of the whole hot store (30 days). Parts and granules of earlier inserts lie wholly
        // before the watermark and are skipped. Existing rows are indexed by a background mutation.
        new(4, "ingest_time_indexes",
        [
            .. new[] { "silver_trades", "bronze_trades_binance", "bronze_trades_kraken", "bronze_trades_coinbase" }.SelectMany(table => IngestTimeIndex(table, "ingest_ts")),
            .. IngestTimeIndex("ohlcv", "updated_at"),
        ]),
        // A writer retries a batch whose insert failed, and a failure can come after the insert took effect (the answer
        // was lost, or came too late). Bronze tables are plain MergeTree, so the retry would store the batch twice, for
        // good; with a deduplication window, an insert carrying a token seen in the last N blocks is dropped (the writer
        // sends one token per batch). The window counts blocks (about one per batch and partition) from all writers of
        // the table: a retry comes at most about 40 s after the first attempt (HTTP timeout 30 s plus a back-off of up
        // to 10 s), and at 5 batches a second per silo, 10,000 blocks last 200 s with 10 silos writing one table. It
        // costs about half a megabyte of block ids per table (estimated: some 50 bytes each). silver_trades and ohlcv
        // need none: they replace by key and are read with FINAL.
        new(5, "bronze_insert_deduplication",
        [
            .. new[] { "binance", "kraken", "coinbase" }.Select(exchange =>
                $"ALTER TABLE {{db}}.bronze_trades_{exchange} MODIFY SETTING non_replicated_deduplication_window = {BronzeDeduplicationWindow}"),
        ]),
        // A trade older than 30 days when it arrives (an operator's requested backfill, a catch-up after a long stop)
        // was expired by the first TTL merge, possibly before any offload had copied it: the offload goes by ingest
        // time, so nothing else would ever take it to cold. Keeping every row at least 30 days after its ingest as well
        // gives the offload (every 15 minutes) that long to copy it; live trades, ingested within moments of their
        // exchange time, expire as before. Parts written before keep their old expiry (only ever the earlier one):
        // materializing the new TTL would be a mutation rewriting every part of 30 days of trades.
        new(6, "silver_trades_ttl_after_ingest",
        [
            "ALTER TABLE {db}.silver_trades MODIFY TTL toDateTime(greatest(exchange_ts, ingest_ts)) + INTERVAL 30 DAY " +
            "SETTINGS materialize_ttl_after_modify = 0",
        ]),
        // The same for candles: a requested backfill recomputes the candles of its range, however old, and the offload
        // copies them to cold by updated_at. With the TTL on bucket_start alone, a 40-day-old bucket's new candle was
        // dropped by the next merge before the offload could copy it; now it stays 30 days after it was written.
        new(7, "ohlcv_ttl_after_update",
        [
            "ALTER TABLE {db}.ohlcv MODIFY TTL toDateTime(greatest(bucket_start, updated_at)) + INTERVAL 30 DAY " +
            "SETTINGS materialize_ttl_after_modify = 0",
        ]),
    ];

    private static string[] IngestTimeIndex(string table, string column) =>
    [
        $"ALTER TABLE {{db}}.{table} ADD INDEX IF NOT EXISTS {column}_minmax {column} TYPE minmax GRANULARITY 1",
        $"ALTER TABLE {{db}}.{table} MATERIALIZE INDEX {column}_minmax",
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
