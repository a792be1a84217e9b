import { json } from './json.js';
import { markdown } from './markdown.js';
import { sarif } from './sarif.js';
import { table } from './table.js';
import type { Reporter } from './types.js';

export const REPORTERS = { table, json, markdown, sarif } satisfies Record<string, Reporter>;
export type Format = keyof typeof REPORTERS;
export const FORMATS = Object.keys(REPORTERS) as Format[];
