// What pnpm's and bun's lockfiles record beside each importer's
// dependencies: the catalogs and overrides they resolved with. Changed since
// then in the files the manager reads them from (pnpm: pnpm-workspace.yaml or
// package.json `pnpm.overrides`; bun: package.json `workspaces.catalog(s)`,
// `overrides`, `resolutions`), and `pnpm install --frozen-lockfile` /
// `bun install --frozen-lockfile` refuses the lockfile.

import type { DepGraph } from '../../model.js';
import { isJsonObject } from '../../util/json.js';
import { installCommand, type Ctx } from './shared.js';

/** Where a manager's catalogs and overrides are declared, for messages and evidence. */
interface DeclaredIn {
  catalogs: string;
  overrides: string;
}

function recordedSync(declaredIn: DeclaredIn): (ctx: Ctx, graph: DepGraph, file: string) => void {
  return (ctx, graph, file) => {
    checkCatalogs(ctx, graph, file, declaredIn.catalogs);
    checkOverrides(ctx, graph, file, declaredIn.overrides);
  };
}

export const checkPnpmSync = recordedSync({ catalogs: 'pnpm-workspace.yaml', overrides: 'package.json (pnpm.overrides) or pnpm-workspace.yaml (overrides)' });
export const checkBunSync = recordedSync({ catalogs: 'package.json', overrides: 'package.json (overrides, resolutions)' });

/**
 * A catalog entry changed after the lockfile was written: every `catalog:`
 * dependency on it is locked against the old spec, and a frozen install
 * refuses the lockfile.
 */
function checkCatalogs(ctx: Ctx, graph: DepGraph, file: string, manifest: string): void {
  const recorded = graph.lockfile?.catalogs ?? {};
  const declared = graph.lockfile?.workspaceCatalogs;
  if (!declared) return;
  for (const [catalog, entries] of Object.entries(recorded)) {
    for (const [name, spec] of Object.entries(entries)) {
      const now = Object.hasOwn(declared, catalog) && Object.hasOwn(declared[catalog]!, name) ? declared[catalog]![name]! : null;
      if (now === spec) continue;
      const field = catalog === 'default' ? 'catalog' : `catalogs.${catalog}`;
      ctx.report({
        rule: 'out-of-sync',
        node: null,
        data: { file, install: installCommand(graph), manifest, name, field, spec: now ?? '(removed)', problem: `is recorded in the lockfile's catalog as "${spec}"` },
        evidence: { reason: 'catalog', catalog, dependency: name, declared: now, lockedSpec: spec, file: manifest },
      });
    }
  }
}

/**
 * The manager records the overrides it resolved with; overrides changed since
 * then are not in the lockfile's tree, and a frozen install refuses it.
 */
function checkOverrides(ctx: Ctx, graph: DepGraph, file: string, manifest: string): void {
  const settings = graph.lockfile?.settings ?? {};
  const recorded = isJsonObject(settings.overrides) ? (settings.overrides as Record<string, string>) : {};
  const declared = isJsonObject(settings.declaredOverrides) ? (settings.declaredOverrides as Record<string, string>) : {};
  for (const selector of new Set([...Object.keys(recorded), ...Object.keys(declared)])) {
    const was = Object.hasOwn(recorded, selector) ? recorded[selector]! : null;
    const now = Object.hasOwn(declared, selector) ? declared[selector]! : null;
    if (was === now) continue;
    ctx.report({
      rule: 'out-of-sync',
      node: null,
      data: {
        file,
        install: installCommand(graph),
        manifest,
        name: selector,
        field: 'overrides',
        spec: now ?? '(removed)',
        problem: was === null ? 'is not in the lockfile' : `is recorded in the lockfile as "${was}"`,
      },
      evidence: { reason: 'overrides', dependency: selector, declared: now, lockedSpec: was },
    });
  }
}
