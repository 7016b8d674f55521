namespace K2.Api.Status;

/// <summary>K2's status page at <c>/</c>: one static page, no assets, no external requests; it polls <c>/v1/status</c>.</summary>
internal static class StatusPage
{
    public const string Html = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>K2</title>
          <style>
            body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #1b1f24; }
            table { border-collapse: collapse; margin: 1rem 0; }
            th, td { border-bottom: 1px solid #d0d7de; padding: .3rem .8rem; text-align: left; }
            td.n { text-align: right; font-variant-numeric: tabular-nums; }
            .ok { color: #1a7f37; } .bad { color: #cf222e; }
          </style>
        </head>
        <body>
          <h1>K2</h1>
          <p>API: <a href="/v1/instruments">/v1/instruments</a> · <a href="/v1/trades?exchange=binance&amp;symbol=BTC-USDT&amp;limit=20">/v1/trades</a>
             · <a href="/openapi/v1.json">OpenAPI</a> · <a href="/health/ready">/health/ready</a> · <a href="/v1/status">/v1/status</a></p>
          <p>The silo and its grains: <a href="/dashboard/">Orleans dashboard</a></p>
          <h2>Exchange sessions</h2>
          <table id="exchanges"><thead><tr><th>Exchange shard</th><th>Connected</th><th>Streams</th><th>Connections</th><th>Trades</th><th>Rejected</th><th>Stored</th><th>Duplicates</th><th>Gaps found</th><th>Gaps repaired</th><th>Gaps open</th><th>Backfilled</th><th>Lost</th><th>Last frame</th></tr></thead><tbody></tbody></table>
          <h2>Instruments</h2>
          <table id="instruments"><thead><tr><th>Instrument</th><th>Session</th><th>Last trade (exchange time)</th><th>Age (s)</th><th>Open gaps</th></tr></thead><tbody></tbody></table>
          <h2>Hot tables</h2>
          <p id="hot-unavailable" class="bad"></p>
          <table id="hot"><thead><tr><th>Table</th><th>Rows</th><th>Parts</th><th>Bytes</th></tr></thead><tbody></tbody></table>
          <h2>Cold tables</h2>
          <p id="cold-unavailable" class="bad"></p>
          <table id="cold"><thead><tr><th>Table</th><th>Records</th><th>Watermark</th><th>Watermark age (s)</th><th>Last run</th><th>Run finished</th><th>Run rows</th></tr></thead><tbody></tbody></table>
          <h2>Grains and hot store</h2>
          <table id="runtime"><tbody></tbody></table>
          <p id="updated"></p>
          <script>
            const cell = (v, cls) => { const td = document.createElement('td'); td.textContent = v; if (cls) td.className = cls; return td; };
            async function refresh() {
              try {
                const s = await (await fetch('/v1/status')).json();
                const rows = s.exchanges.map(e => { const tr = document.createElement('tr'); const i = s.ingest[e.exchange] ?? {};
                  tr.append(cell(e.shard ?? e.exchange), cell(e.connected ? 'yes' : 'no', e.connected ? 'ok' : 'bad'), cell(e.subscribed_streams, 'n'),
                    cell(e.connections, 'n'), cell(e.trades_received, 'n'), cell(e.trades_rejected, 'n'), cell(i.trades_stored, 'n'),
                    cell(i.duplicates, 'n'), cell(i.gaps_detected, 'n'), cell(i.gaps_repaired, 'n'),
                    cell(i.gaps_open ? `${i.gaps_open} (${i.trades_missing} ids, oldest since ${i.oldest_gap_since})` : '0', 'n'), cell(i.trades_backfilled, 'n'),
                    cell(i.trades_lost, 'n', ), cell(e.last_frame_at ?? '-')); if (i.trades_lost > 0) tr.lastChild.previousSibling.className = 'n bad'; return tr; });
                document.querySelector('#exchanges tbody').replaceChildren(...rows);
                const fill = (id, items, cells) => document.querySelector(id + ' tbody').replaceChildren(...items.map(x => { const tr = document.createElement('tr'); tr.append(...cells(x)); return tr; }));
                fill('#instruments', s.instruments, i => [cell(i.instrument), cell(i.active ? i.session_state : `${i.session_state}, grain inactive`, i.connected ? 'ok' : 'bad'),
                  cell(i.last_trade_at ?? i.unavailable ?? '-'), cell(i.last_trade_age_seconds ?? '-', 'n'), cell(i.open_gaps, 'n')]);
                document.getElementById('hot-unavailable').textContent = s.hot_tables.unavailable ? 'Hot store unavailable: ' + s.hot_tables.unavailable : '';
                fill('#hot', s.hot_tables.tables, t => [cell(t.table), cell(t.rows, 'n'), cell(t.parts, 'n'), cell(t.bytes_on_disk, 'n')]);
                document.getElementById('cold-unavailable').textContent = s.cold_tables.unavailable ? 'State database unavailable: ' + s.cold_tables.unavailable : '';
                fill('#cold', s.cold_tables.tables, t => [cell(t.table), cell(t.records ?? t.snapshot_unavailable ?? '-', 'n'), cell(t.watermark?.ingest_time ?? '-'),
                  cell(t.watermark_age_seconds ?? '-', 'n'), cell(t.last_run?.outcome ?? '-', t.last_run?.outcome === 'failed' ? 'bad' : ''),
                  cell(t.last_run?.finished_at ?? '-'), cell(t.last_run?.rows ?? '-', 'n')]);
                const kv = [['Grain activations', s.grains.activations ?? '-'], ['Silver rows written', s.hot_store.silver_rows_written], ['Silver rows buffered', s.hot_store.silver_rows_buffered]];
                document.querySelector('#runtime tbody').replaceChildren(...kv.map(([k, v]) => { const tr = document.createElement('tr'); tr.append(cell(k), cell(v, 'n')); return tr; }));
                document.getElementById('updated').textContent = 'Updated ' + s.now;
              } catch (e) { document.getElementById('updated').textContent = 'Status unavailable: ' + e; }
            }
            refresh(); setInterval(refresh, 2000);
          </script>
        </body>
        </html>
        """;
}
