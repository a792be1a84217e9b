// The library entry point of `depguard sbom` (and of report's SBOM formats):
// the project's graph as CycloneDX, SPDX or OpenVEX. Loads the graph and
// the config (its advisory waivers are the VEX statements), asks nothing of
// the registry, runs no check.

import { DepguardError } from '../errors.js';
import { loadProject } from '../load/load.js';
import { TOOL } from './check.js';
import type { DepGraph } from '../model.js';
import { loadPolicy, type Policy } from '../policy/load.js';
import { waiverStatements } from '../policy/vex.js';
import type { VexStatement } from '../policy/vex-model.js';
import { renderOpenVex } from '../render/openvex.js';
import { renderCycloneDx } from '../render/sbom-cyclonedx.js';
import { sbomModel } from '../render/sbom-model.js';
import { renderSpdx } from '../render/sbom-spdx.js';

export const SBOM_FORMATS = ['cyclonedx', 'spdx', 'openvex'] as const;
export type SbomFormat = (typeof SBOM_FORMATS)[number];

export function isSbomFormat(format: string): format is SbomFormat {
  return (SBOM_FORMATS as readonly string[]).includes(format);
}

export interface SbomDocumentOptions {
  format: SbomFormat;
  /** The day the document is dated (--date, the config's `date`); null: undated (CycloneDX has no timestamp). */
  date: string | null;
  /** The audit day, for what must carry a time (SPDX `created`, OpenVEX `timestamp`) when not dated. */
  today: string;
  /** CycloneDX: '1.7' (default) or '1.6'. */
  specVersion?: '1.6' | '1.7';
  /** OpenVEX author. */
  author?: string;
  /** Licences read beyond the graph (the report's inventory), by location. */
  licenses?: ReadonlyMap<string, string | null>;
}

/** The document for a graph and its policy: the formats share one model. */
export function sbomDocument(graph: DepGraph, policy: Policy, options: SbomDocumentOptions): string {
  const model = sbomModel(graph, { tool: TOOL, date: options.date, ...(options.licenses ? { licenses: options.licenses } : {}) });
  const statements: VexStatement[] = waiverStatements(policy.waivers, graph, options.today);
  switch (options.format) {
    case 'spdx':
      return renderSpdx(model, options.today);
    case 'openvex':
      if (statements.length === 0) {
        throw new DepguardError('EBAD_CONFIG', 'no VEX statement to write: the config has no unexpired advisory waiver (an advisory id, e.g. GHSA-…) that covers an installed package', {
          hint: 'OpenVEX documents need at least one statement; add the waiver (reason and expiry) to the config\'s "waivers"',
        });
      }
      return renderOpenVex(model, statements, { today: options.today, ...(options.author !== undefined ? { author: options.author } : {}) });
    default:
      return renderCycloneDx(model, { vex: statements, ...(options.specVersion ? { specVersion: options.specVersion } : {}) });
  }
}

export interface SbomOptions {
  path: string;
  configPath?: string;
  /** --date: date the document (YYYY-MM-DD); else the config's `date`; else undated. */
  date?: string;
  format: SbomFormat;
  specVersion?: '1.6' | '1.7';
  author?: string;
}

export async function sbom(options: SbomOptions): Promise<{ document: string; graph: DepGraph }> {
  const { graph } = await loadProject(options.path);
  const policy = await loadPolicy({ projectPath: graph.projectPath, manifest: graph.manifest, ...(options.configPath !== undefined ? { configPath: options.configPath } : {}) });
  const date = options.date ?? policy.date ?? null;
  const today = date ?? new Date().toISOString().slice(0, 10);
  const document = sbomDocument(graph, policy, { format: options.format, date, today, ...(options.specVersion ? { specVersion: options.specVersion } : {}), ...(options.author !== undefined ? { author: options.author } : {}) });
  return { document, graph };
}
