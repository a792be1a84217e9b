// Verifies a candidate before it is shown: applies its edits to a copy of
// package.json and the lockfile in a temporary folder, re-resolves with
// Arborist's buildIdealTree (registry metadata only: never reify, never run
// scripts), writes the ideal tree's lockfile there and audits it again with
// the same advisory source. The project folder itself is never touched.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdvisorySource } from '../enrich/advisories/types.js';
import type { RegistryClient } from '../enrich/registry-client.js';
import { convertTree } from '../load/load.js';
import type { DepGraph, LockfileInfo } from '../model.js';
import { assessGraph, type Assessment } from './assess.js';
import type { ReplacementOptions } from './replacements.js';
import { mergeOverrides } from './merge.js';
import { editedFiles, type Spelling } from './files.js';
import { copyWorkspaceManifests } from './workspaces.js';
import { EnvironmentFailure, managerGraph, type ManagerRun } from './sandbox.js';
import type { Candidate, Edits, Verification } from './types.js';

const require = createRequire(import.meta.url);
interface IdealTree {
  meta: { commit(): Record<string, unknown> };
}
type ArboristCtor = new (options: Record<string, unknown>) => { buildIdealTree(options: Record<string, unknown>): Promise<IdealTree> };
const Arborist = require('@npmcli/arborist') as ArboristCtor;
// npm's own in-memory packument cache (an LRU bounded by the heap), shared by every re-resolution of a run.
const PackumentCache = require('@npmcli/arborist/lib/packument-cache.js') as new () => unknown;

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
  /** The project's Node.js version (set from the first assessment): Arborist picks versions for it, as npm on the project's Node.js would. */
  nodeVersion?: string;
  /** Plan for deprecated versions and denied ranges too (default: neither). */
  replacements?: ReplacementOptions;
  /** Told what the planner is doing (the CLI prints it on stderr). */
  progress?: (event: FixProgress) => void;
  /** Epoch ms after which no new verification starts (--max-time): the plan so far is returned, labelled partial. */
  deadline?: number;
  /**
   * A pnpm, yarn or bun project: candidates are spelled for that manager and
   * re-resolved by its own binary in a temporary copy (sandbox.ts), or, when
   * the binary is unavailable, not re-resolved at all (labelled unverified).
   * Absent: npm, re-resolved by Arborist.
   */
  pm?: { run: ManagerRun; spelling: Spelling };
  /** The lockfile planned on, when the project has several (fix's --package-manager chose it). */
  lockfile?: string;
  /** The project's workspace folders (set from the first assessment): their package.json files go into every copy. */
  workspaces?: readonly string[];
}

/** What the planner is doing, for a progress line. */
export interface FixProgress {
  phase: 'assess' | 'verify' | 'combine' | 'overrides' | 'done';
  /** The vulnerable package being planned (verify), or the phase's name (combine). */
  package?: string;
  /** 1-based position of that package among `total`. */
  index?: number;
  total?: number;
  /** Re-resolutions done so far, and verifications answered from the run's memo. */
  verified: number;
  reused: number;
  elapsedMs: number;
}

/**
 * What one run of the planner shares between verifications: npm's packument
 * cache (each packument fetched and parsed once per run, not once per
 * re-resolution) and the verifications by edit, so that the same candidate
 * (the same package.json edits and updates) is never re-resolved twice.
 */
interface Session {
  started: number;
  packumentCache: unknown;
  memo: Map<string, Promise<{ verification: Verification; after: Assessment | null }>>;
  verified: number;
  reused: number;
}

const sessions = new WeakMap<VerifyContext, Session>();

export function session(ctx: VerifyContext): Session {
  let found = sessions.get(ctx);
  if (!found) sessions.set(ctx, (found = { started: Date.now(), packumentCache: new PackumentCache(), memo: new Map(), verified: 0, reused: 0 }));
  return found;
}

/** Tells ctx.progress, with the run's counters. */
export function report(ctx: VerifyContext, event: Omit<FixProgress, 'verified' | 'reused' | 'elapsedMs'>): void {
  if (!ctx.progress) return;
  const run = session(ctx);
  ctx.progress({ ...event, verified: run.verified, reused: run.reused, elapsedMs: Date.now() - run.started });
}

/** The time budget is spent: start no new verification. */
export function outOfTime(ctx: VerifyContext): boolean {
  return ctx.deadline !== undefined && Date.now() >= ctx.deadline;
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
  try {
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const lockfile = LOCKFILES.find((file) => existsSync(join(projectPath, file)));
    // The bytes, not the file: a read-only lockfile (mode 0444) must not make the copy read-only too.
    if (lockfile) writeFileSync(join(dir, lockfile), readFileSync(join(projectPath, lockfile)), { mode: 0o644 });
    copyWorkspaceManifests(projectPath, dir, ctx.workspaces ?? []);
    const arborist = new Arborist({ path: dir, registry: ctx.registry, cache: ctx.cache, ignoreScripts: true, audit: false, fund: false, packumentCache: session(ctx).packumentCache, ...ctx.fetchOptions, ...(ctx.nodeVersion ? { nodeVersion: ctx.nodeVersion } : {}) });
    const tree = await arborist.buildIdealTree(update && update.length > 0 ? { update: { names: update } } : {});
    writeFileSync(join(dir, lockfile ?? 'package-lock.json'), `${JSON.stringify(tree.meta.commit(), null, 2)}\n`);
    return dir;
  } catch (error) {
    // The caller removes the folder it gets; one it never gets is removed here.
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
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
/** The project files a candidate's edits give, in the manager's syntax (pm projects only). */
function candidateFiles(projectPath: string, edits: Edits, spelling: Spelling): Record<string, string> {
  const dependencies = [...(edits.dependency ? [edits.dependency] : []), ...(edits.dependencies ?? [])];
  return editedFiles(projectPath, { overrides: edits.overrides ?? {}, dependencies }, spelling).files;
}

export async function verifyWithTree(projectPath: string, before: Assessment, candidate: Pick<Candidate, 'edits' | 'package'>, ctx: VerifyContext): Promise<{ verification: Verification; after: Assessment | null }> {
  const update = [...new Set(candidate.edits.update ?? [])].sort();
  const pm = ctx.pm;
  const manifest = pm ? null : applyEdits(JSON.parse(readFileSync(join(projectPath, 'package.json'), 'utf8')) as Record<string, unknown>, candidate);
  const files = pm ? candidateFiles(projectPath, candidate.edits, pm.spelling) : null;
  // The same edits resolve to the same tree: re-resolved once per run, whichever candidate or phase asks.
  const key = JSON.stringify([projectPath, manifest ?? files, update]);
  const run = session(ctx);
  let resolving = run.memo.get(key);
  if (resolving) run.reused++;
  else {
    run.memo.set(key, (resolving = pm ? resolveWithManager(projectPath, before, files!, update, ctx, pm.run) : resolveAndAssess(projectPath, before, manifest!, update, ctx)));
  }
  const { verification, after } = await resolving;
  // stillVulnerable is about the candidate's own package: the only part that depends on who asks.
  if (!after) return { verification, after };
  const now = [...after.hits].map((hit) => `${hit.slice(0, hit.lastIndexOf('@'))} ${hit.slice(hit.indexOf(' ') + 1)}`);
  const was = advisoryKeys(before);
  return { verification: { ...verification, stillVulnerable: [...new Set(now)].filter((key) => (candidate.package === '' ? was.has(key) : key.startsWith(`${candidate.package} `))).sort() }, after };
}

/**
 * The candidate's ideal tree, assessed in memory: Arborist's tree is converted
 * as loadProject converts a loaded one, without committing, writing and
 * loading its lockfile again (that round trip was a third of a verification).
 */
async function idealGraph(projectPath: string, manifest: Record<string, unknown>, update: string[], ctx: VerifyContext): Promise<{ dir: string; graph: DepGraph }> {
  const dir = mkdtempSync(join(tmpdir(), 'depguard-fix-'));
  try {
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const lockfile = LOCKFILES.find((file) => existsSync(join(projectPath, file)));
    if (lockfile) writeFileSync(join(dir, lockfile), readFileSync(join(projectPath, lockfile)), { mode: 0o644 });
    copyWorkspaceManifests(projectPath, dir, ctx.workspaces ?? []);
    const arborist = new Arborist({ path: dir, registry: ctx.registry, cache: ctx.cache, ignoreScripts: true, audit: false, fund: false, packumentCache: session(ctx).packumentCache, ...ctx.fetchOptions, ...(ctx.nodeVersion ? { nodeVersion: ctx.nodeVersion } : {}) });
    const tree = (await arborist.buildIdealTree(update.length > 0 ? { update: { names: update } } : {})) as unknown as { inventory: Map<string, { location: string }> };
    const entries = new Set([...tree.inventory.values()].map((node) => node.location).filter((location) => location !== ''));
    const info: LockfileInfo = { file: lockfile ?? 'package-lock.json', lockfileVersion: 3, entries };
    const { nodes, links, workspaces, root } = convertTree(tree, info);
    const graph: DepGraph = { projectPath: dir, root, nodes, links, workspaces, lockfile: info, loadedFrom: 'lockfile', manifest, workspaceManifests: new Map() };
    return { dir, graph };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** What a re-resolved graph fixes, leaves and introduces against `before`. */
async function compare(before: Assessment, graph: DepGraph, ctx: VerifyContext): Promise<{ verification: Verification; after: Assessment }> {
  const after = await assessGraph(graph, ctx.source, ctx.client, ctx.replacements, ctx.nodeVersion);
  const was = advisoryKeys(before);
  const now = advisoryKeys(after);
  const oldVersions = versionsByName(before);
  const newVersions = versionsByName(after);
  const names = new Set([...oldVersions.keys(), ...newVersions.keys()]);
  const verification = {
    fixed: [...was].filter((key) => !now.has(key)).sort(),
    stillVulnerable: [],
    introduced: [...now].filter((key) => !was.has(key)).sort(),
    changed: [...names].filter((name) => oldVersions.get(name) !== newVersions.get(name)).sort(),
  };
  return { verification, after };
}

/** A pnpm / yarn / bun candidate, re-resolved by the manager itself (sandbox.ts); unverified when it cannot run. */
async function resolveWithManager(projectPath: string, before: Assessment, files: Record<string, string>, update: string[], ctx: VerifyContext, run: ManagerRun): Promise<{ verification: Verification; after: Assessment | null }> {
  const nothing = { fixed: [], stillVulnerable: [], introduced: [], changed: [] };
  if (run.verifier.unavailable) return { verification: { ...nothing, unverified: run.verifier.unavailable }, after: null };
  let dir: string | null = null;
  try {
    session(ctx).verified++;
    const resolved = await managerGraph(projectPath, files, update, run, ctx.deadline, ctx.workspaces);
    dir = resolved.dir;
    return await compare(before, resolved.graph, ctx);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    return { verification: { ...nothing, ...(error instanceof EnvironmentFailure ? { unverified: message } : { error: message }) }, after: null };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

async function resolveAndAssess(projectPath: string, before: Assessment, manifest: Record<string, unknown>, update: string[], ctx: VerifyContext): Promise<{ verification: Verification; after: Assessment | null }> {
  let dir: string | null = null;
  try {
    session(ctx).verified++;
    const ideal = await idealGraph(projectPath, manifest, update, ctx);
    dir = ideal.dir;
    return await compare(before, ideal.graph, ctx);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    return { verification: { fixed: [], stillVulnerable: [], introduced: [], changed: [], error: message }, after: null };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
