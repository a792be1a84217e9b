// `depguard check --capabilities`: the capability inventory as a table, one
// row per package version that can do anything, one column per capability.
// A pure function of the audit result (the check's `packages` data), like the
// reporters; the CLI decides where it goes.

import Table from 'cli-table3';
import type { InventoryEntry } from '../checks/capabilities/index.js';
import type { AuditResult } from '../model.js';
import { compareStrings } from '../util/compare.js';
import { CAPABILITIES, type Capability, type CapabilitySummary } from '../checks/capabilities/types.js';

const HEADERS: Record<Capability, string> = {
  network: 'network',
  shell: 'shell',
  filesystem: 'fs write',
  'dynamic-code': 'dyn. code',
  environment: 'env',
  native: 'native',
  'install-time': 'install',
  obfuscation: 'obfusc.',
};

/** What a cell says: the capability's most telling detail. */
function cell(capability: Capability, summary: CapabilitySummary & { allowedBy?: string }): string {
  let text: string;
  if (capability === 'shell') text = summary.shell ? 'shell' : 'spawn';
  else if (capability === 'environment') {
    const keys = summary.keys ?? [];
    text = keys.includes('*') ? 'all' : `${keys.length} key${keys.length === 1 ? '' : 's'}`;
  } else if (capability === 'install-time') text = [...new Set(summary.evidence.map((evidence) => evidence.what.split(':')[0]!))].join(' ');
  else text = 'yes';
  return summary.allowedBy ? `${text} (allowed)` : text;
}

interface Row {
  label: string;
  cells: string[];
}

function rows(entries: InventoryEntry[]): Row[] {
  const seen = new Set<string>();
  const result: Row[] = [];
  for (const entry of entries) {
    const id = `${entry.name}@${entry.version}`;
    if (entry.status !== 'analysed' || seen.has(id)) continue;
    seen.add(id);
    const cells = CAPABILITIES.map((capability) => {
      const summary = entry.capabilities[capability];
      return summary && summary.strong > 0 ? cell(capability, summary) : '';
    });
    if (cells.every((text) => text === '')) continue;
    result.push({ label: entry.dev ? `${id} (dev)` : id, cells });
  }
  return result.sort((a, b) => compareStrings(a.label, b.label));
}

export function inventoryEntries(result: AuditResult): InventoryEntry[] {
  const packages = result.checks?.capabilities?.packages;
  return Array.isArray(packages) ? (packages as InventoryEntry[]) : [];
}

function footer(entries: InventoryEntry[], shown: number): string {
  const versions = (list: InventoryEntry[]) => new Set(list.map((entry) => `${entry.name}@${entry.version}`)).size;
  const analysed = versions(entries.filter((entry) => entry.status === 'analysed'));
  const unavailable = versions(entries.filter((entry) => entry.status === 'unavailable'));
  return `${analysed} package version${analysed === 1 ? '' : 's'} analysed: ${shown} can do something above, ${analysed - shown} nothing${unavailable > 0 ? `; ${unavailable} could not be analysed (see the diagnostics)` : ''}`;
}

/** The inventory as a terminal table (`markdown: true`: a markdown table), diagnostics and a closing line. */
export function renderInventory(result: AuditResult, options: { markdown?: boolean; color?: boolean } = {}): string {
  const entries = inventoryEntries(result);
  const table = rows(entries);
  const out: string[] = [];
  if (options.markdown) {
    out.push(`| package | ${CAPABILITIES.map((capability) => HEADERS[capability]).join(' | ')} |`, `| --- |${CAPABILITIES.map(() => ' :---: |').join('')}`);
    for (const row of table) out.push(`| ${row.label} | ${row.cells.join(' | ')} |`);
    out.push('');
  } else if (table.length > 0) {
    const grid = new Table({
      head: ['package', ...CAPABILITIES.map((capability) => HEADERS[capability])],
      style: { head: options.color ? ['bold'] : [], border: [] },
      // One line per package, no rule between rows: the inventory is long.
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    });
    for (const row of table) grid.push([row.label, ...row.cells]);
    out.push(grid.toString());
  }
  out.push(footer(entries, table.length));
  for (const diagnostic of result.diagnostics) out.push(`${diagnostic.level}: ${diagnostic.message}`);
  return `${out.join('\n')}\n`;
}
