// HTML building blocks of the report page: escaping, table cells, severity
// badges and colours, code and rule links. Pure strings in, strings out.

import { ruleDocs } from '../checks/docs.js';
import type { Severity } from '../model.js';

/** Severity colours, dark enough for white text and for print (WCAG AA on white as text). */
export const SEVERITY_COLOR: Record<Severity, string> = {
  critical: '#7f1d1d',
  high: '#b91c1c',
  moderate: '#b45309',
  low: '#1d4ed8',
  info: '#4b5563',
};


export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}
export const e = escapeHtml;

export function attr(text: string): string {
  return escapeHtml(text);
}

export type Cell = string | number | { html: string; numeric?: boolean };

export function cellHtml(value: Cell, header = false): string {
  const tag = header ? 'th scope="row"' : 'td';
  const close = header ? 'th' : 'td';
  if (typeof value === 'number') return `<${tag} class="num">${value}</${close}>`;
  if (typeof value === 'string') return `<${tag}>${e(value)}</${close}>`;
  return `<${tag}${value.numeric ? ' class="num"' : ''}>${value.html}</${close}>`;
}

/** A table with a caption and column headers; the first cell of each row heads the row. */
export function table(caption: string, header: string[], rows: Cell[][], numeric: number[] = []): string {
  const head = header.map((label, index) => `<th scope="col"${numeric.includes(index) ? ' class="num"' : ''}>${e(label)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((value, index) => cellHtml(value, index === 0)).join('')}</tr>`).join('\n');
  return `<div class="table-wrap"><table>\n<caption>${e(caption)}</caption>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}

export function badge(severity: Severity): string {
  return `<span class="sev sev-${severity}">${severity}</span>`;
}

export function codeHtml(text: string): string {
  return `<code>${e(text)}</code>`;
}

/** A rule id, linked to its documentation when the repository is known (src/checks/docs.ts). */
export function ruleHtml(rule: string): string {
  const { url } = ruleDocs(rule);
  return url ? `<a href="${attr(url)}">${codeHtml(rule)}</a>` : codeHtml(rule);
}
