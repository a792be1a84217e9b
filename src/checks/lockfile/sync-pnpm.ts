// What only pnpm's lockfile records beside each importer's dependencies: the
// catalogs and overrides it resolved with. pnpm-workspace.yaml or package.json
// changed since then, and `pnpm install --frozen-lockfile` refuses the lockfile.

import type { DepGraph } from '../../model.js';
import { isJsonObject } from '../../util/json.js';
import { installCommand, type Ctx } from './shared.js';

export function checkPnpmSync(ctx: Ctx, graph: DepGraph, file: string): void {
  checkCatalogs(ctx, graph, file);
  checkOverrides(ctx, graph, file);
}

/**
 * A pnpm catalog entry changed in pnpm-workspace.yaml after the lockfile was
 * written: every `catalog:` dependency on it is locked against the old spec,
 * and `pnpm install --frozen-lockfile` refuses the lockfile.
 */
function checkCatalogs(ctx: Ctx, graph: DepGraph, file: string): void {
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
        data: { file, install: installCommand(graph), manifest: 'pnpm-workspace.yaml', name, field, spec: now ?? '(removed)', problem: `is recorded in the lockfile's catalog as "${spec}"` },
        evidence: { reason: 'catalog', catalog, dependency: name, declared: now, lockedSpec: spec, file: 'pnpm-workspace.yaml' },
      });
    }
  }
}

/**
 * pnpm records the overrides it resolved with; overrides changed in
 * package.json (`pnpm.overrides`) or pnpm-workspace.yaml since then are not
 * in the lockfile's tree, and `pnpm install --frozen-lockfile` refuses it.
 */
function checkOverrides(ctx: Ctx, graph: DepGraph, file: string): void {
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
        manifest: 'package.json (pnpm.overrides) or pnpm-workspace.yaml (overrides)',
        name: selector,
        field: 'overrides',
        spec: now ?? '(removed)',
        problem: was === null ? 'is not in the lockfile' : `is recorded in the lockfile as "${was}"`,
      },
      evidence: { reason: 'overrides', dependency: selector, declared: now, lockedSpec: was },
    });
  }
}
