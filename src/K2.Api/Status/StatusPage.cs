namespace K2.Api.Status;

/// <summary>
/// K2's status page at <c>/</c>: one static page with its style and script inline (no assets, no external requests, so
/// it works offline). It polls <c>/v1/status</c> every 2 s, ages every timestamp against the status' own <c>now</c>
/// (so a skewed browser clock does not matter), and when a poll fails keeps the last data greyed out under a banner
/// saying since when and why. Everything it shows comes from the JSON; it never writes the JSON's text as markup.
/// </summary>
internal static class StatusPage
{
    public const string Html = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>K2 status</title>
          <style>
            :root { --fg: #1b1f24; --muted: #57606a; --line: #d8dee4; --bg2: #f6f8fa; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; }
            * { box-sizing: border-box; }
            body { font: 13px/1.35 system-ui, sans-serif; margin: 0; color: var(--fg); }
            header { display: flex; gap: 1rem; align-items: baseline; padding: .5rem 1rem; border-bottom: 1px solid var(--line); background: var(--bg2); }
            header h1 { font-size: 16px; margin: 0; }
            header nav { margin-left: auto; color: var(--muted); }
            header nav a { color: inherit; margin-left: .6rem; }
            main { padding: .4rem 1rem 1rem; }
            h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: .8rem 0 .3rem; }
            table { border-collapse: collapse; width: 100%; }
            th, td { padding: .15rem .45rem; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
            th { font-weight: 600; color: var(--muted); font-size: 12px; }
            td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
            .ok { color: var(--ok); } .warn { color: var(--warn); } .bad { color: var(--bad); font-weight: 600; }
            .muted { color: var(--muted); }
            #banner { padding: .35rem 1rem; display: none; }
            body.unavailable #banner { display: block; background: #ffebe9; color: var(--bad); border-bottom: 1px solid #ff8182; }
            body.unavailable main { opacity: .45; }
            #live::before { content: "●"; margin-right: .3rem; }
            #live.ok::before { color: var(--ok); } #live.bad::before { color: var(--bad); }
            .cards { display: flex; gap: .5rem; flex-wrap: wrap; margin-top: .5rem; }
            .card { border: 1px solid var(--line); border-radius: 6px; padding: .3rem .7rem; min-width: 7.5rem; }
            .card b { display: block; font-size: 18px; font-variant-numeric: tabular-nums; }
            .card span { color: var(--muted); font-size: 12px; }
            .grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 34rem); gap: 0 1.2rem; }
            .group { display: flex; align-items: baseline; margin: .25rem 0; }
            .group > b { flex: 0 0 5rem; }
            .chips { display: flex; gap: .3rem; flex-wrap: wrap; }
            .chip { border: 1px solid var(--line); border-radius: 4px; padding: 0 .35rem; font-variant-numeric: tabular-nums; background: #fff; }
            .chip.ok { border-color: #aceebb; } .chip.warn { border-color: #eac54f; } .chip.bad { border-color: #ff8182; background: #fff5f5; }
            .chip i { font-style: normal; margin-left: .3rem; }
            select { font: inherit; }
          </style>
        </head>
        <body>
          <header>
            <h1>K2 status</h1>
            <span id="live" class="muted">waiting for the first status…</span>
            <nav><a href="/dashboard/">Orleans dashboard</a><a href="/v1/status">/v1/status</a><a href="/v1/instruments">/v1/instruments</a><a href="/openapi/v1.json">OpenAPI</a><a href="/health/ready">/health/ready</a></nav>
          </header>
          <div id="banner" role="alert"></div>
          <main>
            <div class="cards" id="cards"></div>
            <h2>Exchanges and shard sessions</h2>
            <table id="exchanges"><thead><tr>
              <th>Shard</th><th>Session</th><th class="n">Streams</th><th class="n">Connections</th><th class="n">Last frame</th><th class="n">Received</th><th class="n">Rejected</th>
              <th class="n" title="The exchange's totals on this silo">Stored</th><th class="n">Duplicates</th><th class="n">Gaps open</th><th class="n">Gaps found / repaired</th><th class="n">Backfilled</th><th class="n">Lost</th><th>Backfill queue</th>
            </tr></thead><tbody></tbody></table>
            <div class="grid">
              <section>
                <h2>Instruments: age of the last trade <select id="order" aria-label="Order"><option value="registry">registry order</option><option value="stalest">stalest first</option><option value="gaps">open gaps first</option></select></h2>
                <div id="instruments"></div>
              </section>
              <section>
                <h2>Writers (this silo) and hot tables</h2>
                <p id="hot-unavailable" class="bad"></p>
                <table id="writers"><thead><tr><th>Table</th><th class="n">Written</th><th class="n">Buffered</th><th class="n">Rows stored</th><th class="n">Parts</th><th class="n">On disk</th></tr></thead><tbody></tbody></table>
                <h2>Silos</h2>
                <table id="silos"><tbody></tbody></table>
              </section>
            </div>
            <h2>Cold tables and maintenance</h2>
            <p id="cold-unavailable" class="bad"></p>
            <table id="cold"><thead><tr>
              <th>Table</th><th class="n">Records</th><th class="n">Files</th><th class="n">Watermark age</th><th>Last offload</th><th class="n">Finished</th><th class="n">Rows</th><th class="n">Took</th><th>Maintenance (newest per task)</th>
            </tr></thead><tbody></tbody></table>
          </main>
          <script>
            const PERIOD_MS = 2000, TIMEOUT_MS = 5000;
            let last = null, failingSince = null, order = 'registry';

            function el(tag, attrs, ...children) {
              const e = document.createElement(tag);
              for (const [k, v] of Object.entries(attrs ?? {})) if (v !== undefined && v !== null && v !== '') e.setAttribute(k, v);
              e.append(...children.filter(c => c !== null && c !== undefined).map(c => typeof c === 'object' ? c : String(c)));
              return e;
            }
            const td = (v, cls, field, title) => el('td', { class: cls, 'data-field': field, title }, v ?? '–');
            const num = v => v === null || v === undefined ? '–' : Number(v).toLocaleString('en-US');
            const bytes = v => v >= 1 << 30 ? (v / (1 << 30)).toFixed(1) + ' GiB' : v >= 1 << 20 ? (v / (1 << 20)).toFixed(1) + ' MiB' : v >= 1024 ? (v / 1024).toFixed(1) + ' KiB' : v + ' B';
            const seconds = s => s === null || s === undefined ? '–' : s < 10 ? s.toFixed(1) + ' s' : s < 120 ? Math.round(s) + ' s' : s < 7200 ? Math.round(s / 60) + ' min' : s < 172800 ? Math.round(s / 3600) + ' h' : Math.round(s / 86400) + ' d';
            // Ages against the status' own clock, so the browser's clock plays no part.
            const ageOf = (now, at) => at ? Math.max(0, (Date.parse(now) - Date.parse(at)) / 1000) : null;
            const ageClass = s => s === null ? 'bad' : s < 15 ? 'ok' : s < 120 ? 'warn' : 'bad';
            const time = at => at ? new Date(at).toISOString().slice(11, 19) + ' UTC' : '–';

            function cards(s) {
              const ex = s.exchanges, ingest = Object.values(s.ingest ?? {});
              const sum = f => ingest.reduce((a, i) => a + (i[f] ?? 0), 0);
              const connected = ex.filter(e => e.connected).length;
              const lost = sum('trades_lost'), gaps = sum('gaps_open');
              const buffered = s.hot_store ? s.hot_store.writers.reduce((a, w) => a + w.rows_buffered, 0) : null;
              const card = (id, value, label, cls) => el('div', { class: 'card', id }, el('b', { class: cls }, value), el('span', {}, label));
              document.getElementById('cards').replaceChildren(
                card('card-sessions', `${connected} / ${ex.length}`, 'shard sessions connected', connected === ex.length ? 'ok' : 'bad'),
                card('card-received', num(ex.reduce((a, e) => a + e.trades_received, 0)), 'trades received'),
                card('card-stored', s.ingest ? num(sum('trades_stored')) : '–', 'trades stored'),
                card('card-gaps', s.ingest ? num(gaps) : '–', 'gaps open', gaps > 0 ? 'warn' : ''),
                card('card-lost', s.ingest ? num(lost) : '–', 'trades lost', lost > 0 ? 'bad' : ''),
                card('card-buffered', num(buffered), 'rows buffered by writers'),
                card('card-silos', num(s.grains.silos.length), 'active silos'),
                card('card-activations', num(s.grains.activations), 'grain activations'));
            }

            function exchanges(s) {
              const rows = [];
              for (const e of s.exchanges) {
                const i = s.ingest?.[e.exchange], b = s.backfill?.[e.exchange];
                const frameAge = ageOf(s.now, e.last_frame_at);
                const session = e.state === 'running' ? (e.connected ? 'connected' : 'disconnected') : e.state;
                rows.push(el('tr', { 'data-shard': e.shard ?? e.exchange, 'data-exchange': e.exchange },
                  td(e.shard ?? e.exchange, '', 'shard', e.silo ? 'on silo ' + e.silo : ''),
                  td(session, e.connected ? 'ok' : 'bad', 'session'),
                  td(e.subscribed_streams, 'n', 'subscribed_streams'), td(num(e.connections), 'n', 'connections'),
                  td(seconds(frameAge), 'n ' + (e.connected ? ageClass(frameAge) : 'bad'), 'last_frame', e.last_frame_at),
                  td(num(e.trades_received), 'n', 'trades_received'), td(num(e.trades_rejected), 'n' + (e.trades_rejected > 0 ? ' warn' : ''), 'trades_rejected'),
                  td(num(i?.trades_stored), 'n', 'trades_stored'), td(num(i?.duplicates), 'n', 'duplicates'),
                  td(i ? num(i.gaps_open) + (i.gaps_open > 0 ? ` (${num(i.trades_missing)} ids)` : '') : '–', 'n' + (i?.gaps_open > 0 ? ' warn' : ''), 'gaps_open', i?.oldest_gap_since ? 'oldest since ' + i.oldest_gap_since : ''),
                  td(i ? `${num(i.gaps_detected)} / ${num(i.gaps_repaired)}` : '–', 'n', 'gaps'), td(num(i?.trades_backfilled), 'n', 'trades_backfilled'),
                  td(num(i?.trades_lost), 'n' + (i?.trades_lost > 0 ? ' bad' : ''), 'trades_lost'),
                  td(b ? (b.in_flight ? `${b.queued} queued, running ${b.in_flight}` : b.queued ? `${b.queued} queued` : 'idle') : '–', b?.waiting_for ? 'warn' : 'muted', 'backfill', b?.waiting_for ?? '')));
              }
              document.querySelector('#exchanges tbody').replaceChildren(...rows);
            }

            function instruments(s) {
              const groups = new Map();
              for (const i of s.instruments) {
                if (!groups.has(i.exchange)) groups.set(i.exchange, []);
                groups.get(i.exchange).push({ ...i, age: i.last_trade_at ? ageOf(s.now, i.last_trade_at) : null });
              }
              const rank = i => i.age === null ? Infinity : i.age;
              const sorters = { registry: () => 0, stalest: (a, b) => rank(b) - rank(a), gaps: (a, b) => b.open_gaps - a.open_gaps || rank(b) - rank(a) };
              const lines = [...groups].map(([exchange, list]) => el('div', { class: 'group', 'data-exchange': exchange }, el('b', {}, exchange),
                el('span', { class: 'chips' }, ...[...list].sort(sorters[order]).map(i => {
                  const cls = i.unavailable || !i.active || !i.connected ? 'bad' : i.open_gaps > 0 ? 'warn' : ageClass(i.age);
                  const detail = i.unavailable ?? (i.active ? `last trade ${i.last_trade_at ?? 'none yet'}, id ${i.highest_trade_id ?? '–'}` : 'grain not active');
                  return el('span', { class: 'chip ' + cls, 'data-instrument': i.instrument, title: `${i.instrument}: ${detail}; session ${i.session_state}` },
                    i.symbol, el('i', { 'data-field': 'age' }, i.active ? seconds(i.age) : 'inactive'),
                    i.open_gaps > 0 ? el('i', { class: 'bad', 'data-field': 'gaps' }, `${i.open_gaps} gap${i.open_gaps > 1 ? 's' : ''}, ${num(i.missing_trades)} ids`) : null);
                }))));
              document.getElementById('instruments').replaceChildren(...lines);
            }

            function writers(s) {
              const hot = s.hot_tables;
              document.getElementById('hot-unavailable').textContent = hot.unavailable ? `Hot store unavailable (checked ${time(hot.checked_at)}): ${hot.unavailable}` : '';
              const sizes = new Map(hot.tables.map(t => [t.table, t]));
              const names = [...new Set([...(s.hot_store?.writers ?? []).map(w => w.table), ...hot.tables.map(t => t.table)])];
              const writerOf = new Map((s.hot_store?.writers ?? []).map(w => [w.table, w]));
              document.querySelector('#writers tbody').replaceChildren(...names.map(name => {
                const w = writerOf.get(name), t = sizes.get(name);
                return el('tr', { 'data-table': name }, td(name),
                  td(w ? num(w.rows_written) : '–', 'n', 'rows_written'), td(w ? num(w.rows_buffered) : '–', 'n', 'rows_buffered'),
                  td(num(t?.rows), 'n', 'rows'), td(num(t?.parts), 'n', 'parts'), td(t ? bytes(t.bytes_on_disk) : '–', 'n', 'bytes_on_disk'));
              }));
              if (s.silo_counters_omitted) document.getElementById('hot-unavailable').textContent += ' ' + s.silo_counters_omitted;
            }

            function silos(s) {
              const g = s.grains;
              const rows = g.silos.map(silo => el('tr', { 'data-silo': silo }, td(silo), td('active', 'ok')));
              rows.push(el('tr', {}, td('Grain activations'), td(g.activations === null ? 'unknown' : num(g.activations), g.activations === null ? 'warn n' : 'n', 'activations', g.unknown ?? '')));
              if (g.unknown) rows.push(el('tr', {}, td(g.unknown, 'warn')));
              document.querySelector('#silos tbody').replaceChildren(...rows);
            }

            function cold(s) {
              const c = s.cold_tables;
              document.getElementById('cold-unavailable').textContent = c.unavailable ? `State database unavailable (checked ${time(c.checked_at)}): ${c.unavailable}` : '';
              document.querySelector('#cold tbody').replaceChildren(...c.tables.map(t => {
                const run = t.last_run, wm = t.watermark_age_seconds;
                const maintenance = t.last_maintenance.length === 0 ? [el('span', { class: 'muted' }, 'never run')]
                  : t.last_maintenance.map(m => el('span', { class: 'chip ' + (m.outcome === 'ok' || m.outcome === 'match' ? 'ok' : 'bad'), title: `${m.at}` + (m.hot_count !== null ? `: hot ${m.hot_count}, cold ${m.cold_count}` : '') },
                    `${m.task} ${m.outcome}`));
                const newest = t.last_maintenance.reduce((a, m) => !a || m.at > a ? m.at : a, null);
                return el('tr', { 'data-table': t.table }, td(t.table),
                  td(t.snapshot_unavailable ? 'unreadable' : num(t.records), 'n' + (t.snapshot_unavailable ? ' bad' : ''), 'records', t.snapshot_unavailable ?? ''),
                  td(num(t.data_files), 'n', 'data_files'),
                  td(wm === null ? 'none yet' : seconds(wm), 'n' + (wm === null ? ' muted' : ''), 'watermark_age', t.watermark ? 'watermark ' + t.watermark.ingest_time : ''),
                  td(run ? run.outcome : 'none yet', run?.outcome === 'failed' ? 'bad' : run ? '' : 'muted', 'last_run', run?.error ?? ''),
                  td(run ? seconds(ageOf(s.now, run.finished_at)) + ' ago' : '–', 'n', 'finished', run?.finished_at ?? ''),
                  td(num(run?.rows), 'n', 'run_rows'), td(run ? (run.duration_ms / 1000).toFixed(1) + ' s' : '–', 'n', 'duration'),
                  el('td', { 'data-field': 'maintenance', title: newest ? 'newest ' + newest : '' }, ...maintenance));
              }));
            }

            function render(s) {
              cards(s); exchanges(s); instruments(s); writers(s); silos(s); cold(s);
            }

            function showLive() {
              const live = document.getElementById('live');
              live.className = failingSince ? 'bad' : 'ok';
              live.dataset.now = last?.now ?? '';
              live.textContent = failingSince ? 'unavailable' : `live · status at ${time(last.now)}`;
              document.body.classList.toggle('unavailable', failingSince !== null);
            }

            async function poll() {
              try {
                // A server that hangs must not stop the polling: the answer races a timer.
                const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), TIMEOUT_MS));
                const response = await Promise.race([fetch('/v1/status'), timeout]);
                if (!response.ok) throw new Error(`HTTP ${response.status}`);
                last = await response.json();
                failingSince = null;
                render(last);
              } catch (e) {
                failingSince ??= new Date();
                const shown = last ? `; showing the status of ${time(last.now)}` : '';
                document.getElementById('banner').textContent =
                  `Status unavailable since ${failingSince.toISOString().slice(11, 19)} UTC (${e.message})${shown}. Still trying every 2 s.`;
              }
              showLive();
              setTimeout(poll, PERIOD_MS);
            }

            document.getElementById('order').addEventListener('change', e => { order = e.target.value; if (last) instruments(last); });
            poll();
          </script>
        </body>
        </html>
        """;
}
