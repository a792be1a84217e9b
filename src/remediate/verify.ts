// Verifies a candidate before it is shown: applies its edits to a copy of
// package.json and the lockfile in a temporary folder, re-resolves with
// Arborist's buildIdealTree (registry metadata only: never reify, never run
// scripts), writes the ideal tree's lockfile there and audits it again with
// the same advisory source. The project folder itself is never touched.

import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdvisorySource } from '../enrich/advisories/types.js';
import type { RegistryClient } from '../enrich/registry-client.js';
import { assess, type Assessment } from './assess.js';
import type { ReplacementOptions } from './replacements.js';
import { mergeOverrides } from './merge.js';
import type { Candidate, Verification } from './types.js';

const require = createRequire(import.meta.url);
interface IdealTree {
  meta: { commit(): Record<string, unknown> };
}
type ArboristCtor = new (options: Record<string, unknown>) => { buildIdealTree(options: Record<string, unknown>): Promise<IdealTree> };
const Arborist = require('@npmcli/arborist') as ArboristCtor;

const LOCKFILES = ['npm-shrinkwrap.json', 'package-lock.json'];

export interface VerifyContext {
  source: AdvisorySource;
  client: RegistryClient;
  /** The registry Arborist resolves against. */
  registry: string;
  /** npm's cache folder for Arborist's metadata fetches. */
  cache: string;
  /** Extra npm-registry-fetch options (tests shorten retries). */
  fetchOptions?: Record<string, unknown>;
  /** Plan for deprecated versions and denied ranges too (default: neither). */
  replacements?: ReplacementOptions;
}

/** The candidate's package.json: overrides merged, a direct dependency's spec replaced; key order kept. */
export function applyEdits(manifest: Record<string, unknown>, candidate: Pick<Candidate, 'edits'>): Record<string, unknown> {
  const next: Record<string, unknown> = { ...manifest };
  const { dependency, dependencies, overrides } = candidate.edits;
  for (const edit of [...(dependency ? [dependency] : []), ...(dependencies ?? [])]) next[edit.field] = { ...(next[edit.field] as Record<string, string>), [edit.name]: edit.spec };
  if (overrides) next.overrides = mergeOverrides((manifest.overrides as Record<string, never> | undefined) ?? {}, overrides).merged;
  return next;
}

/** Re-resolves the project with a package.json in a temporary copy; returns the copy's folder (the caller removes it). */
export async function resolveCopy(projectPath: string, manifest: Record<string, unknown>, update: string[] | undefined, ctx: VerifyContext): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'depguard-fix-'));
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const lockfile = LOCKFILES.find((file) => existsSync(join(projectPath, file)));
  if (lockfile) copyFileSync(join(projectPath, lockfile), join(dir, lockfile));
  const arborist = new Arborist({ path: dir, registry: ctx.registry, cache: ctx.cache, ignoreScripts: true, audit: false, fund: false, ...ctx.fetchOptions });
  const tree = await arborist.buildIdealTree(update && update.length > 0 ? { update: { names: update } } : {});
  writeFileSync(join(dir, lockfile ?? 'package-lock.json'), `${JSON.stringify(tree.meta.commit(), null, 2)}\n`);
  return dir;
}

export function versionsByName(assessment: Assessment): Map<string, string> {
  const byName = new Map<string, Set<string>>();
  for (const node of assessment.graph.nodes.values()) {
    if (node.location === '') continue;
    const set = byName.get(node.packageName) ?? new Set<string>();
    set.add(node.version);
    byName.set(node.packageName, set);
  }
  return new Map([...byName].map(([name, set]) => [name, [...set].sort().join(',')]));
}

/** `package advisoryId` keys of an assessment's hits (versions dropped: a fix moves them). */
function advisoryKeys(assessment: Assessment): Set<string> {
  return new Set([...assessment.hits].map((hit) => `${hit.slice(0, hit.lastIndexOf('@'))} ${hit.slice(hit.indexOf(' ') + 1)}`));
}

export async function verify(projectPath: string, before: Assessment, candidate: Pick<Candidate, 'edits' | 'package'>, ctx: VerifyContext): Promise<Verification> {
  return (await verifyWithTree(projectPath, before, candidate, ctx)).verification;
}

/** verify, and the re-resolved tree's assessment (null when the re-resolution failed). */
export async function verifyWithTree(projectPath: string, before: Assessment, candidate: Pick<Candidate, 'edits' | 'package'>, ctx: VerifyContext): Promise<{ verification: Verification; after: Assessment | null }> {
  const manifest = JSON.parse(readFileSync(join(projectPath, 'package.json'), 'utf8')) as Record<string, unknown>;
  let dir: string | null = null;
  try {
    dir = await resolveCopy(projectPath, applyEdits(manifest, candidate), candidate.edits.update, ctx);
    const after = await assess(dir, ctx.source, ctx.client, ctx.replacements);
    const was = advisoryKeys(before);
    const now = advisoryKeys(after);
    const oldVersions = versionsByName(before);
    const newVersions = versionsByName(after);
    const names = new Set([...oldVersions.keys(), ...newVersions.keys()]);
    const verification = {
      fixed: [...was].filter((key) => !now.has(key)).sort(),
      stillVulnerable: [...now].filter((key) => (candidate.package === '' ? was.has(key) : key.startsWith(`${candidate.package} `))).sort(),
      introduced: [...now].filter((key) => !was.has(key)).sort(),
      changed: [...names].filter((name) => oldVersions.get(name) !== newVersions.get(name)).sort(),
    };
    return { verification, after };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    return { verification: { fixed: [], stillVulnerable: [], introduced: [], changed: [], error: message }, after: null };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
