// The formats of `depguard diff`, one pure function each.
import { diffJson } from './diff-json.js';
import { diffMarkdown } from './diff-markdown.js';
import type { DiffReporter } from './diff-summary.js';
import { diffTable } from './diff-table.js';

export const DIFF_REPORTERS = { table: diffTable, json: diffJson, markdown: diffMarkdown } satisfies Record<string, DiffReporter>;
export type DiffFormat = keyof typeof DIFF_REPORTERS;
export const DIFF_FORMATS = Object.keys(DIFF_REPORTERS) as DiffFormat[];
