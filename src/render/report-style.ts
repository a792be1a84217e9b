// The report page's stylesheet: inline (the page fetches nothing), readable
// printed, severity colours from html.ts.

import type { Severity } from '../model.js';
import { SEVERITY_COLOR } from './html.js';

export const CSS = `
:root { color-scheme: light; --fg: #111827; --muted: #4b5563; --line: #d1d5db; --bg-alt: #f3f4f6; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: #fff; }
header, main, footer, nav { max-width: 1040px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; border-bottom: 3px solid var(--fg); }
h1 { font-size: 1.8rem; margin: 0 0 4px; }
h2 { font-size: 1.35rem; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.1rem; margin: 20px 0 6px; }
.meta, .note, figcaption { color: var(--muted); }
nav ol { display: flex; flex-wrap: wrap; gap: 4px 18px; padding: 0; margin: 12px auto; list-style: none; }
nav a, a { color: #1d4ed8; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 12px; margin: 12px 0; padding: 0; }
.cards div { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.cards dt { color: var(--muted); font-size: .85rem; }
.cards dd { margin: 2px 0 0; font-size: 1.35rem; font-weight: 600; }
.verdict { font-weight: 600; }
.table-wrap { overflow-x: auto; }
details.rule { margin: .4rem 0; border: 1px solid #e5e7eb; border-radius: 4px; padding: .2rem .6rem; }
details.rule > summary { cursor: pointer; padding: .2rem 0; }
details.rule > summary .count { color: #4b5563; margin-left: .4rem; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: .9rem; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
thead th { background: var(--bg-alt); border-bottom: 2px solid var(--line); }
tbody th { font-weight: 500; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; }
td code, th code { white-space: nowrap; }
.sev { display: inline-block; min-width: 5.5em; text-align: center; color: #fff; border-radius: 3px; padding: 0 6px; font-size: .8rem; font-weight: 600; }
${(Object.entries(SEVERITY_COLOR) as Array<[Severity, string]>).map(([severity, color]) => `.sev-${severity} { background: ${color}; }`).join('\n')}
.status-expired, .status-expiring { font-weight: 600; color: #b91c1c; }
figure.chart { margin: 12px 0; }
figure.chart svg { max-width: 100%; height: auto; font: 12px system-ui, sans-serif; fill: var(--fg); }
svg .small { font-size: 11px; }
svg .axis { stroke: var(--fg); stroke-width: 1; }
svg .grid { stroke: var(--line); stroke-width: 1; stroke-dasharray: 3 3; }
svg .today { stroke: #b91c1c; stroke-width: 2; }
footer { margin-top: 40px; padding-bottom: 32px; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line); }
@media print {
  body { font-size: 11pt; }
  nav { display: none; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
  tr, figure { break-inside: avoid; }
  .sev, svg rect { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  @page { margin: 16mm; }
}`;
