// The package.json changes a security review should see, root and
// workspaces: new dependencies, looser specs, specs that now fetch from
// somewhere else, overrides, install-script approvals, engines, the project's
// own install-time scripts; and changes to depguard's config that relax it
// (both sides are judged by the base revision's config, so a relaxed config
// in head takes effect only once merged; the reviewer sees it here).

import type { DepGraph } from '../../model.js';
import { isJsonObject, own, stringEntries, type JsonObject } from '../../util/json.js';
import { changesSource, isLoosened, readSpec, type Catalogs } from './specs.js';
import { catalogName } from '../../load/specs.js';
import type { ManifestChange } from '../../render/diff-model.js';

const DEPENDENCY_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies', 'devDependencies'] as const;

/** Scripts npm runs in the project itself on `npm install` / `npm ci`. */
const INSTALL_LIFECYCLE = ['preinstall', 'install', 'postinstall', 'prepublish', 'preprepare', 'prepare', 'postprepare'] as const;

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function text(value: unknown): string | null {
  if (value === undefined) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value)
    .sort(cmp)
    .map((key) => `${JSON.stringify(key)}:${canonical((value as JsonObject)[key])}`)
    .join(',')}}`;
}

function dependencyChanges(file: string, base: JsonObject | null, head: JsonObject, catalogs: SideCatalogs): ManifestChange[] {
  const changes: ManifestChange[] = [];
  for (const field of DEPENDENCY_FIELDS) {
    const before = new Map(stringEntries(base ? own(base, field) : undefined));
    for (const [name, spec] of stringEntries(own(head, field))) {
      const to = readSpec(name, spec, catalogs.head);
      const old = before.get(name);
      if (old === undefined) {
        changes.push({ kind: 'dependency-added', file, field, key: name, from: null, to: spec, looseness: { from: null, to: to.looseness } });
        continue;
      }
      const from = readSpec(name, old, catalogs.base);
      if (old === spec && !(catalogName(spec) !== null && from.range !== to.range)) continue;
      if (isLoosened(from, to)) changes.push({ kind: 'spec-loosened', file, field, key: name, from: old, to: spec, looseness: { from: from.looseness, to: to.looseness } });
      else if (changesSource(from, to)) changes.push({ kind: 'spec-changed', file, field, key: name, from: old, to: spec, looseness: { from: from.looseness, to: to.looseness } });
    }
  }
  return changes;
}

/** npm overrides, flattened: `foo`, `bar` (its "." value), `bar > baz`. */
export function flattenOverrides(value: unknown, prefix: string[] = [], out = new Map<string, string>()): Map<string, string> {
  if (!isJsonObject(value)) return out;
  for (const [key, spec] of Object.entries(value)) {
    if (key === '.') {
      if (prefix.length > 0) out.set(prefix.join(' > '), text(spec) ?? '');
      continue;
    }
    const path = [...prefix, key];
    if (isJsonObject(spec)) flattenOverrides(spec, path, out);
    else out.set(path.join(' > '), text(spec) ?? '');
  }
  return out;
}

function overrideChanges(file: string, base: JsonObject | null, head: JsonObject): ManifestChange[] {
  const before = flattenOverrides(base ? own(base, 'overrides') : undefined);
  const after = flattenOverrides(own(head, 'overrides'));
  const changes: ManifestChange[] = [];
  for (const [key, spec] of after) {
    const old = before.get(key);
    if (old === undefined) changes.push({ kind: 'override-added', file, field: 'overrides', key, from: null, to: spec });
    else if (old !== spec) changes.push({ kind: 'override-changed', file, field: 'overrides', key, from: old, to: spec });
  }
  for (const [key, spec] of before) {
    if (!after.has(key)) changes.push({ kind: 'override-removed', file, field: 'overrides', key, from: spec, to: null });
  }
  return changes;
}

/** Approval keys set to true, by field: npm allowScripts, pnpm's lists and map, bun's trustedDependencies, LavaMoat's allowScripts, yarn's dependenciesMeta built. */
function approvals(manifest: JsonObject | null): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  if (!manifest) return result;
  const truthy = (map: unknown) => new Set(isJsonObject(map) ? Object.entries(map).filter(([, value]) => value === true).map(([key]) => key) : []);
  const list = (value: unknown) => new Set(Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);
  result.set('allowScripts', truthy(own(manifest, 'allowScripts')));
  const pnpm = own(manifest, 'pnpm');
  result.set('pnpm.onlyBuiltDependencies', list(isJsonObject(pnpm) ? own(pnpm, 'onlyBuiltDependencies') : undefined));
  result.set('pnpm.allowBuilds', truthy(isJsonObject(pnpm) ? own(pnpm, 'allowBuilds') : undefined));
  // bun's list of names whose scripts it runs.
  result.set('trustedDependencies', list(own(manifest, 'trustedDependencies')));
  const lavamoat = own(manifest, 'lavamoat');
  result.set('lavamoat.allowScripts', truthy(isJsonObject(lavamoat) ? own(lavamoat, 'allowScripts') : undefined));
  // yarn berry: dependenciesMeta.<key>.built: true.
  const meta = own(manifest, 'dependenciesMeta');
  result.set('dependenciesMeta.built', new Set(isJsonObject(meta) ? Object.entries(meta).filter(([, value]) => isJsonObject(value) && own(value, 'built') === true).map(([key]) => key) : []));
  return result;
}

function approvalChanges(file: string, base: JsonObject | null, head: JsonObject): ManifestChange[] {
  const before = approvals(base);
  const changes: ManifestChange[] = [];
  for (const [field, keys] of approvals(head)) {
    const old = before.get(field) ?? new Set<string>();
    for (const key of [...keys].sort(cmp)) {
      if (!old.has(key)) changes.push({ kind: 'approval-added', file, field, key, from: null, to: 'true' });
    }
  }
  return changes;
}

/** Per key of an object field (engines.node, devEngines.runtime, scripts.postinstall). */
function keyedChanges(kind: ManifestChange['kind'], file: string, field: string, base: unknown, head: unknown, keys?: readonly string[]): ManifestChange[] {
  const before = isJsonObject(base) ? base : {};
  const after = isJsonObject(head) ? head : {};
  const names = keys ?? [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(cmp);
  const changes: ManifestChange[] = [];
  for (const key of names) {
    const from = own(before, key);
    const to = own(after, key);
    if (canonical(from) === canonical(to)) continue;
    changes.push({ kind, file, field, key, from: text(from), to: text(to) });
  }
  return changes;
}

/** The catalogs (pnpm `catalog:`) each side resolves against. */
export interface SideCatalogs {
  base: Catalogs;
  head: Catalogs;
}

export function manifestChanges(file: string, base: JsonObject | null, head: JsonObject, catalogs: SideCatalogs = { base: {}, head: {} }): ManifestChange[] {
  return [
    ...dependencyChanges(file, base, head, catalogs),
    ...overrideChanges(file, base, head),
    ...approvalChanges(file, base, head),
    ...keyedChanges('engines-changed', file, 'engines', base ? own(base, 'engines') : undefined, own(head, 'engines')),
    ...keyedChanges('engines-changed', file, 'devEngines', base ? own(base, 'devEngines') : undefined, own(head, 'devEngines')),
    ...keyedChanges('lifecycle-script-changed', file, 'scripts', base ? own(base, 'scripts') : undefined, own(head, 'scripts'), INSTALL_LIFECYCLE),
  ];
}

/** depguard's config as written (file and data), or null; see src/policy/load.ts findConfig. */
export interface RawConfig {
  file: string;
  data: JsonObject;
}

function waiverKey(waiver: unknown): string {
  if (!isJsonObject(waiver)) return canonical(waiver);
  return canonical([own(waiver, 'id'), own(waiver, 'package') ?? null, own(waiver, 'path') ?? null]);
}

function waiverLabel(waiver: unknown): string {
  if (!isJsonObject(waiver)) return text(waiver) ?? '';
  const parts = [String(own(waiver, 'id'))];
  if (typeof own(waiver, 'package') === 'string') parts.push(`on ${String(own(waiver, 'package'))}`);
  if (typeof own(waiver, 'path') === 'string') parts.push(`at ${String(own(waiver, 'path'))}`);
  return parts.join(' ');
}

/** Config changes that can hide findings: new or extended waivers, check settings, the preset, the date. */
export function configChanges(base: RawConfig | null, head: RawConfig | null): ManifestChange[] {
  if (!head) return [];
  const file = head.file;
  const changes: ManifestChange[] = [];
  const change = (field: string, key: string, from: unknown, to: unknown) => changes.push({ kind: 'config-changed', file, field, key, from: text(from), to: text(to) });
  const before = base?.data ?? {};
  for (const field of ['extends', 'date'] as const) {
    if (canonical(own(before, field)) !== canonical(own(head.data, field))) change(field, field, own(before, field), own(head.data, field));
  }
  for (const item of keyedChanges('config-changed', file, 'checks', own(before, 'checks'), own(head.data, 'checks'))) changes.push(item);
  const oldWaivers = new Map((Array.isArray(own(before, 'waivers')) ? (own(before, 'waivers') as unknown[]) : []).map((waiver) => [waiverKey(waiver), waiver]));
  for (const waiver of Array.isArray(own(head.data, 'waivers')) ? (own(head.data, 'waivers') as unknown[]) : []) {
    const old = oldWaivers.get(waiverKey(waiver));
    const expires = (value: unknown) => (isJsonObject(value) ? own(value, 'expires') : undefined);
    if (old === undefined) change('waivers', waiverLabel(waiver), undefined, `expires ${String(expires(waiver))}`);
    else if (canonical(expires(old)) !== canonical(expires(waiver))) change('waivers', waiverLabel(waiver), `expires ${String(expires(old))}`, `expires ${String(expires(waiver))}`);
  }
  return changes;
}

/** Every package.json of the project (root, then workspaces by folder), base against head. */
function catalogsOf(graph: DepGraph): Catalogs {
  return { ...(graph.lockfile?.catalogs ?? {}), ...(graph.lockfile?.workspaceCatalogs ?? {}) };
}

export function projectManifestChanges(base: DepGraph, head: DepGraph): ManifestChange[] {
  const catalogs = { base: catalogsOf(base), head: catalogsOf(head) };
  const changes = manifestChanges('package.json', base.manifest, head.manifest, catalogs);
  for (const location of [...head.workspaceManifests.keys()].sort(cmp)) {
    changes.push(...manifestChanges(`${location}/package.json`, base.workspaceManifests.get(location) ?? null, head.workspaceManifests.get(location)!, catalogs));
  }
  return changes;
}
