import { html } from './html-escape.js';

/**
 * The report's whole stylesheet, inlined into the page: the file must open
 * offline, from a CI artifact, with nothing fetched. Colours are custom
 * properties so the charts (which use these classes) follow dark mode too.
 * Verdict colours: red regression, green improvement, slate unchanged,
 * amber inconclusive, grey not measured; base is grey and head blue in
 * every chart (the VRAM timeline tells GPUs apart by dash, not colour).
 * A template without holes: the page takes it as it is.
 */
export const REPORT_CSS = html`
:root {
  color-scheme: light dark;
  --bg: #f6f7f9; --card: #ffffff; --text: #1f2328; --muted: #5b636d; --border: #d8dee4;
  --head-row: #f0f3f6; --grid: #e6e9ed; --axis: #8b949e;
  --regression: #cf222e; --regression-bg: #ffebe9;
  --improvement: #1a7f37; --improvement-bg: #dafbe1;
  --unchanged: #44617d; --unchanged-bg: #e7eef5;
  --inconclusive: #9a6700; --inconclusive-bg: #fff8c5;
  --not-measured: #6e7781; --not-measured-bg: #eff1f3;
  --failed: #8250df; --failed-bg: #fbefff;
  --pass: #1a7f37; --pass-bg: #dafbe1;
  --base: #8c959f; --head: #0969da; --band: #e3ecf5; --band-edge: #9fb6cc;
  --warn: #9a6700; --warn-bg: #fff8c5;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --card: #161b22; --text: #e6edf3; --muted: #9198a1; --border: #30363d;
    --head-row: #1c2129; --grid: #262c35; --axis: #6e7681;
    --regression: #ff7b72; --regression-bg: #3d1a1c;
    --improvement: #56d364; --improvement-bg: #12301c;
    --unchanged: #9ab4cf; --unchanged-bg: #1c2733;
    --inconclusive: #e3b341; --inconclusive-bg: #34290f;
    --not-measured: #8b949e; --not-measured-bg: #21262d;
    --failed: #d2a8ff; --failed-bg: #2c1f3d;
    --pass: #56d364; --pass-bg: #12301c;
    --base: #8b949e; --head: #58a6ff; --band: #1c2733; --band-edge: #3d5a78;
    --warn: #e3b341; --warn-bg: #34290f;
  }
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--bg); color: var(--text);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, sans-serif;
}
main { max-width: 1240px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 1.1rem; font-weight: 600; color: var(--muted); margin: 0 0 12px; }
h2 { font-size: 1.25rem; margin: 36px 0 12px; }
h3 { font-size: 1.1rem; margin: 0; word-break: break-word; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 0.9em; }
.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
.muted { color: var(--muted); }
a { color: var(--head); }

.headline {
  border-radius: 10px; padding: 16px 20px; margin-bottom: 16px;
  border-left: 6px solid var(--tone); background: var(--tone-bg);
}
.headline p { margin: 0; font-size: 1.6rem; font-weight: 700; color: var(--tone); }
.headline .summary { font-size: 0.95rem; font-weight: 400; color: var(--text); margin-top: 4px; }

.meta {
  display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0;
  background: var(--card); border: 1px solid var(--border); border-radius: 10px; padding: 14px 20px;
}
.meta dt { color: var(--muted); }
.meta dd { margin: 0; word-break: break-word; }

.table-wrap { overflow-x: auto; background: var(--card); border: 1px solid var(--border); border-radius: 10px; }
table.results { border-collapse: collapse; width: 100%; }
.results th, .results td { padding: 9px 14px; text-align: left; border-bottom: 1px solid var(--border); vertical-align: middle; }
.results thead th { background: var(--head-row); font-size: 0.85rem; text-transform: uppercase; letter-spacing: 0.03em; color: var(--muted); }
.results tbody tr:last-child td, .results tbody tr:last-child th { border-bottom: none; }
.results th[scope="row"] { font-weight: 600; word-break: break-word; }
.results .right { text-align: right; }
.results tr.v-regression td { background: color-mix(in srgb, var(--regression-bg) 55%, transparent); }
.results tr.failed td { background: color-mix(in srgb, var(--failed-bg) 55%, transparent); }
.error-text { white-space: pre-wrap; word-break: break-word; }

.badge {
  display: inline-block; padding: 1px 10px; border-radius: 999px; font-size: 0.82rem; font-weight: 600;
  color: var(--tone); background: var(--tone-bg); border: 1px solid color-mix(in srgb, var(--tone) 35%, transparent);
  white-space: nowrap;
}
.v-regression { --tone: var(--regression); --tone-bg: var(--regression-bg); }
.v-improvement { --tone: var(--improvement); --tone-bg: var(--improvement-bg); }
.v-unchanged { --tone: var(--unchanged); --tone-bg: var(--unchanged-bg); }
.v-inconclusive { --tone: var(--inconclusive); --tone-bg: var(--inconclusive-bg); }
.v-not-measured { --tone: var(--not-measured); --tone-bg: var(--not-measured-bg); }
.v-failed { --tone: var(--failed); --tone-bg: var(--failed-bg); }
.v-pass { --tone: var(--pass); --tone-bg: var(--pass-bg); }
.v-unknown { --tone: var(--not-measured); --tone-bg: var(--not-measured-bg); }

.warnings { list-style: none; padding: 0; margin: 0; display: grid; gap: 6px; }
.warnings li {
  background: var(--warn-bg); border-left: 4px solid var(--warn); border-radius: 6px; padding: 8px 14px;
  word-break: break-word;
}

.benchmark {
  background: var(--card); border: 1px solid var(--border); border-radius: 10px;
  padding: 18px 20px; margin-bottom: 18px;
}
.benchmark > header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px 12px; }
.benchmark .stats { margin: 4px 0 12px; color: var(--muted); font-size: 0.9rem; }
.benchmark .throttled { color: var(--warn); }
pre.error {
  margin: 0 0 12px; padding: 10px 14px; border-radius: 6px; background: var(--failed-bg);
  border-left: 4px solid var(--failed); white-space: pre-wrap; word-break: break-word;
}
.what-ran { font-size: 0.9rem; margin-bottom: 14px; }
.what-ran p { margin: 0 0 8px; }
table.ran { border-collapse: collapse; }
.ran th, .ran td { padding: 3px 14px 3px 0; text-align: left; vertical-align: top; }
.ran thead th { color: var(--muted); font-weight: 500; }
.ran .right { text-align: right; }
.scroll { overflow-x: auto; }
table.ran.memory { margin-top: 8px; }

.metrics { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 370px), 1fr)); gap: 14px; }
figure.metric {
  margin: 0; padding: 12px 14px; border: 1px solid var(--border); border-top: 4px solid var(--tone);
  border-radius: 8px; background: var(--card); min-width: 0;
}
figure.metric figcaption { display: flex; align-items: baseline; justify-content: space-between; gap: 8px; }
.metric-name { font-weight: 600; }
.change-text { margin: 2px 0 6px; font-size: 1.15rem; font-weight: 600; }
.change-text .interval { font-size: 0.85rem; font-weight: 400; color: var(--muted); }
.explanation { margin: 6px 0 0; font-size: 0.82rem; color: var(--muted); }
table.summary { width: 100%; border-collapse: collapse; font-size: 0.82rem; margin: 2px 0 8px; }
.summary th, .summary td { padding: 2px 6px; text-align: right; }
.summary th:first-child, .summary td:first-child { text-align: left; padding-left: 0; }
.summary thead th { color: var(--muted); font-weight: 500; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: baseline; }
.swatch.base { background: var(--base); }
.swatch.head { background: var(--head); }
.swatch.band { background: var(--band); border: 1px solid var(--band-edge); }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: 0.88rem; color: var(--muted); margin: -4px 0 14px; }

svg.chart { display: block; width: 100%; height: auto; overflow: visible; font-family: inherit; }
svg .grid { stroke: var(--grid); stroke-width: 1; }
svg .axis-line { stroke: var(--axis); stroke-width: 1; }
svg .tick { fill: var(--muted); font-size: 11px; }
svg .row-label { fill: var(--text); font-size: 12.5px; }
svg .missing { fill: var(--muted); font-size: 12.5px; font-style: italic; }
.side-base { --side: var(--base); }
.side-head { --side: var(--head); }
svg .box { fill: color-mix(in srgb, var(--side) 22%, transparent); stroke: var(--side); stroke-width: 1.5; }
svg .median { stroke: var(--side); stroke-width: 3; stroke-linecap: round; }
svg .dot { fill: var(--side); fill-opacity: 0.45; }
svg .band { fill: var(--band); }
svg .band-edge { stroke: var(--band-edge); stroke-width: 1; stroke-dasharray: 4 3; }
svg .zero { stroke: var(--axis); stroke-width: 1; }
svg .interval .whisker, svg .interval .cap { stroke: var(--tone); stroke-width: 2.5; stroke-linecap: round; }
svg .interval .point { fill: var(--tone); stroke: var(--card); stroke-width: 1.5; }

figure.timeline {
  max-width: 900px; margin: 14px 0 0; padding: 12px 14px; border: 1px solid var(--border); border-radius: 8px; min-width: 0;
}
figure.timeline figcaption { display: flex; flex-wrap: wrap; align-items: baseline; gap: 2px 10px; margin-bottom: 4px; }
figure.timeline figcaption .muted { font-size: 0.85rem; }
/* Time needs width: below this the chart scrolls in its box instead of shrinking its labels. */
figure.timeline svg.chart { min-width: 640px; max-width: 860px; }
svg .vram-line { fill: none; stroke: var(--side); stroke-width: 1.6; stroke-linejoin: round; stroke-linecap: round; }
svg .vram-point { fill: var(--side); }
.timeline-legend { margin: 6px 0 0; }
.line-swatch { display: inline-block; width: 24px; height: 8px; margin-right: 6px; vertical-align: middle; overflow: visible; }
.line-swatch line { stroke: var(--side); stroke-width: 2.5; }

.how p, .how ul { margin: 0 0 8px; max-width: 80ch; }
@media (max-width: 600px) {
  main { padding: 16px 10px 32px; }
  .benchmark { padding: 14px 12px; }
  .headline p { font-size: 1.3rem; }
}
footer { margin-top: 32px; font-size: 0.82rem; color: var(--muted); }
`;
