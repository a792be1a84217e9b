// Fuzz-style input test (issue 15): a few hundred malformed package.json and
// lockfiles (package-lock.json, and bun.lock, which bun writes as JSON with
// trailing commas) generated from real fixtures with a fixed seed — truncated text,
// a wrong type at every level, hostile keys (`__proto__`, `toString`,
// `node_modules/../../x`, absolute, backslashes, empty, NUL), fields removed
// — each audited by the offline checks. Every run either completes or fails
// with a DepguardError (exit 2) that names the file; none crashes with an
// internal error. A sample goes through the CLI to see exit 2 and no stack
// trace. Deterministic: the same seed gives the same cases.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { toDepguardError } from '../../src/cli/errors.js';
import { audit } from '../../src/commands/check.js';
import { depguard } from '../helpers/cli.js';
import { fixture, tempProject } from '../helpers/project.js';
import { EXAMPLE_REGISTRY } from '../helpers/run.js';

const SEED = 0x15eed;
const CASES = 300;
const CLI_SAMPLE = 12;
const CHECKS = ['lockfile', 'pinning', 'npm-config', 'denied'];

/** mulberry32: a small deterministic generator. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'node_modules/../../x', '/etc/x', 'node_modules\\x', '', 'node_modules//x', 'node_modules/.', '..', 'node_modules/\u0000x', 'node_modules/'.repeat(40) + 'deep', 'x'.repeat(5000)];
const WRONG_VALUES: unknown[] = [null, 0, -1, 1e308, true, false, '', 'x', '__proto__', [], [1, 'a'], {}, { '': null }];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path of objects and arrays in a document, root included. */
function containers(value: Json, path: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  if (value !== null && typeof value === 'object') {
    out.push(path);
    if (Array.isArray(value)) value.forEach((item, index) => containers(item, [...path, index], out));
    else for (const [key, item] of Object.entries(value)) containers(item, [...path, key], out);
  }
  return out;
}

function at(value: Json, path: Array<string | number>): Json {
  return path.reduce<Json>((current, key) => (current as Record<string, Json>)[key as string]!, value);
}

interface Case {
  name: string;
  files: Record<string, string>;
}

const BASES = [
  ...['lockfile-clean-v3', 'lockfile-v1', 'lockfile-workspaces', 'pinning-clean'].map((name) => ({ name, lockfileName: 'package-lock.json' })),
  ...['pm-service-bun', 'bun-tuple-kinds'].map((name) => ({ name, lockfileName: 'bun.lock' })),
].map(({ name, lockfileName }) => ({
  name,
  lockfileName,
  packageJson: readFileSync(join(fixture(name), 'package.json'), 'utf8'),
  lockfile: readFileSync(join(fixture(name), lockfileName), 'utf8'),
}));

function makeCases(): Case[] {
  const random = generator(SEED);
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const cases: Case[] = [];
  for (let i = 0; i < CASES; i++) {
    const base = pick(BASES);
    const target = random() < 0.3 ? 'package.json' : base.lockfileName;
    const text = target === 'package.json' ? base.packageJson : base.lockfile;
    const doc = parseJsonc(text) as Json;
    const kind = pick(['truncate', 'wrong-type', 'hostile-key', 'remove', 'wrong-type', 'hostile-key'] as const);
    let mutated: string;
    let what: string;
    if (kind === 'truncate') {
      const cut = Math.floor(random() * text.length);
      mutated = text.slice(0, cut);
      what = `truncated at ${cut}`;
    } else {
      const paths = containers(doc);
      const path = pick(paths);
      const holder = at(doc, path) as Record<string, Json> | Json[];
      const keys = Object.keys(holder);
      if (kind === 'hostile-key' && !Array.isArray(holder)) {
        const key = pick(HOSTILE_KEYS);
        // A JSON text key, so `__proto__` stays an own property as JSON.parse makes it.
        const value = pick([{ version: '1.0.0', resolved: 'http://evil.example/x.tgz', integrity: 'sha512-AAAA' }, '1.0.0', ...WRONG_VALUES]) as Json;
        mutated = JSON.stringify(doc, null, 2);
        const inserted = JSON.parse(JSON.stringify(holder)) as Record<string, Json>;
        mutated = JSON.stringify(doc, (_key, item: Json) => (item === holder ? { ...inserted, [key]: value } : item), 2);
        if (key === '__proto__') mutated = mutated.replace('"__proto__":', '"__proto__" :'); // still a key after a round trip
        what = `key ${JSON.stringify(key.slice(0, 40))} at ${path.join('.') || '(root)'}`;
      } else if (keys.length > 0 && kind === 'remove') {
        const key = pick(keys);
        mutated = JSON.stringify(doc, (_key, item: Json) => (item === holder ? (Array.isArray(holder) ? holder.filter((_, index) => String(index) !== key) : Object.fromEntries(Object.entries(holder).filter(([k]) => k !== key))) : item), 2);
        what = `removed ${path.join('.')}.${key}`;
      } else if (keys.length > 0) {
        const key = pick(keys);
        const value = pick(WRONG_VALUES) as Json;
        mutated = JSON.stringify(doc, (_key, item: Json) => (item === holder ? (Array.isArray(holder) ? holder.map((entry, index) => (String(index) === key ? value : entry)) : { ...holder, [key]: value }) : item), 2);
        what = `${path.join('.')}.${key} = ${JSON.stringify(value)}`;
      } else {
        mutated = JSON.stringify(pick(WRONG_VALUES));
        what = 'whole document replaced';
      }
    }
    cases.push({
      name: `#${i} ${base.name} ${target} ${kind}: ${what}`,
      files: { 'package.json': target === 'package.json' ? mutated : base.packageJson, [base.lockfileName]: target === base.lockfileName ? mutated : base.lockfile },
    });
  }
  return cases;
}

const cases = makeCases();

function project(files: Record<string, string>): string {
  return tempProject(files);
}

describe(`fuzz: ${CASES} malformed package.json and lockfiles, seed ${SEED} (security-fuzz)`, () => {
  it('the cases are deterministic and varied', () => {
    expect(makeCases().map((c) => c.name)).toEqual(cases.map((c) => c.name));
    const kinds = new Set(cases.map((c) => c.name.split(': ')[0]!.split(' ').at(-1)));
    expect([...kinds].sort()).toEqual(['hostile-key', 'remove', 'truncate', 'wrong-type']);
    // Both lockfile formats are mutated, and the manifests beside them.
    expect([...new Set(cases.map((c) => c.name.split(' ')[2]))].sort()).toEqual(['bun.lock', 'package-lock.json', 'package.json']);
  });

  it('each case audits normally or fails with a DepguardError naming the file; none crashes', async () => {
    const crashes: string[] = [];
    let failed = 0;
    for (const testCase of cases) {
      const dir = project(testCase.files);
      try {
        await audit({ path: dir, registries: EXAMPLE_REGISTRY, only: CHECKS, today: '2026-11-27', registryAccess: { mode: 'offline' } });
      } catch (error) {
        failed++;
        const known = toDepguardError(error);
        if (!known) {
          crashes.push(`${testCase.name}: internal error: ${error instanceof Error ? error.stack?.split('\n').slice(0, 3).join(' | ') : String(error)}`);
          continue;
        }
        const named = known.file ?? (/package\.json|package-lock\.json|bun\.lock/.exec(known.message)?.[0] ?? null);
        if (!named) crashes.push(`${testCase.name}: ${known.code} names no file: ${known.message}`);
      }
    }
    expect(crashes).toEqual([]);
    // Most mutations break the input; some (a removed optional field) are still a valid project.
    expect(failed).toBeGreaterThan(CASES / 4);
    expect(failed).toBeLessThan(CASES);
  }, 300_000);

  it(`through the CLI (${CLI_SAMPLE} of them): exit 0, 1, or 2 with one message naming the file and no stack trace`, () => {
    for (const testCase of cases.slice(0, CLI_SAMPLE)) {
      const result = depguard(['check', project(testCase.files), '--only', CHECKS.join(',')]);
      expect([0, 1, 2], testCase.name).toContain(result.code);
      expect(result.stderr, testCase.name).not.toMatch(/internal error|\n\s+at /);
      if (result.code === 2) expect(result.stderr, testCase.name).toMatch(/^depguard: .*(package\.json|package-lock\.json|bun\.lock)/);
    }
  }, 300_000);
});
