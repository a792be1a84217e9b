// depguard fix on an old express 4, resolved from a universe recorded from the
// registry (fixtures/universes/express-4.json: express 4.17.1 and newer 4.x,
// with every version their ranges reach) and the real GitHub advisories of
// shared/data/advisories/osv as the bulk endpoint's answer. express 4.17.1
// pulls vulnerable qs, path-to-regexp, send, body-parser, cookie and
// serve-static, and is vulnerable itself.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remediate } from '../../src/remediate/remediate.js';
import type { VerifyContext } from '../../src/remediate/verify.js';
import { planContext } from './context.js';
import { FIXTURES, fixture, SHARED_DATA } from '../helpers/project.js';
import { AdvisoryServer, bulkFrom, osvFolderAdvisories } from '../advisories/advisory-server.js';
import { recordedPackuments } from '../advisories/universe.js';

const OSV = join(SHARED_DATA, 'advisories/osv');
const present = existsSync(OSV);
if (!present) console.warn(`skipping depguard fix on express: ${OSV} is absent (shared data not laid beside the clone)`);

const HIT = ['body-parser', 'cookie', 'express', 'path-to-regexp', 'qs', 'send', 'serve-static'];
const ADVISORIES = [
  'body-parser GHSA-qwcr-r2fm-qrc7',
  'cookie GHSA-pxg6-pf52-xh8x',
  'express GHSA-qw6h-vgh9-j6wx',
  'express GHSA-rv95-896h-c2vc',
  'path-to-regexp GHSA-9wv6-86v2-598j',
  'path-to-regexp GHSA-rhx6-c78j-4q9w',
  'qs GHSA-hrpp-h998-j3pp',
  'send GHSA-m6fv-jmcg-4jfg',
  'serve-static GHSA-cm22-4g7w-348p',
];

let server: AdvisoryServer;
beforeAll(async () => {
  server = await new AdvisoryServer().start();
  for (const [name, doc] of recordedPackuments(join(FIXTURES, '../universes/express-4.json'))) server.packuments.set(name, doc);
  if (present) server.bulk = bulkFrom(osvFolderAdvisories(OSV));
});
afterAll(() => server.stop());

function context(): VerifyContext {
  return planContext(server.url);
}

function copy(spec?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'depguard-fix-express-'));
  cpSync(fixture('fix-express'), dir, { recursive: true });
  if (spec) {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    manifest.dependencies.express = spec;
    writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  }
  return dir;
}

describe.skipIf(!present)('depguard fix on an old express', () => {
  it('express pinned at 4.17.1: a verified suggestion per package, joined into one upgrade of express and no override', async () => {
    const dir = copy();
    const manifest = readFileSync(join(dir, 'package.json'), 'utf8');
    const plan = await remediate(dir, context(), { auditOverrides: false });
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(manifest);
    expect(plan.packages.map((entry) => entry.package)).toEqual(HIT);
    for (const entry of plan.packages) expect(entry.suggestions.some((s) => s.offered), entry.package).toBe(true);
    const byName = new Map(plan.packages.map((entry) => [entry.package, entry]));

    // qs 6.7.0: the override stays on the project's line (6.7.3, the backported fix), not qs 6.13.
    const qs = byName.get('qs')!;
    expect(qs).toMatchObject({ versions: ['6.7.0'], advisories: ['GHSA-hrpp-h998-j3pp'] });
    const qsOverride = qs.suggestions.find((s) => s.kind === 'scoped-override');
    expect(qsOverride).toMatchObject({ kind: 'scoped-override', to: '6.7.3', parents: ['body-parser', 'express'], major: false, offered: true });
    expect(qsOverride!.verification).toMatchObject({ fixed: ['qs GHSA-hrpp-h998-j3pp'], introduced: [], changed: ['qs'] });
    // Smallest edit first: the express bump within 4.x fixes qs's advisory too and introduces nothing, so it ranks above the override.
    expect(qs.suggestions[0]).toMatchObject({ kind: 'parent-upgrade', parent: { name: 'express' }, major: false, offered: true });

    // express itself: the lowest 4.x that no advisory or vulnerable dependency of its own hits, outside the exact pin.
    const express = byName.get('express')!;
    expect(express.suggestions[0]).toMatchObject({ kind: 'parent-upgrade', parent: { name: 'express', from: '4.17.1', to: '4.21.1' }, edits: { dependency: { field: 'dependencies', name: 'express', spec: '4.21.1' } }, leavesRange: true, major: false });

    // Joined: path-to-regexp's GHSA-rhx6 is still hit under express 4.21.1 (0.1.10), so the express upgrade is raised to
    // 4.21.2 rather than adding an override; the overrides each package could take alone are dead and left out.
    expect(['qs', 'cookie', 'path-to-regexp'].map((name) => byName.get(name)!.suggestions[0]!.kind)).toEqual(['parent-upgrade', 'parent-upgrade', 'parent-upgrade']);
    for (const name of ['qs', 'cookie', 'path-to-regexp']) expect(byName.get(name)!.suggestions.some((s) => s.kind === 'scoped-override' && s.offered), name).toBe(true);
    expect(plan.combined).toMatchObject({ overrides: {}, dependencies: [{ field: 'dependencies', name: 'express', spec: '4.21.2' }], update: [] });
    expect(plan.combined.verification).toMatchObject({ fixed: ADVISORIES, stillVulnerable: [], introduced: [] });
  }, 120_000);

  it('express ^4.17.1 locked at 4.17.1: the plan only moves the lockfile (npm update express), to what npm would pick', async () => {
    const plan = await remediate(copy('^4.17.1'), context(), { auditOverrides: false });
    const express = plan.packages.find((entry) => entry.package === 'express')!;
    expect(express.suggestions[0]).toMatchObject({ kind: 'refresh', to: '4.22.3', edits: { update: ['express'] }, leavesRange: false, offered: true });
    // The same edit is not offered twice under another kind.
    expect(express.suggestions.filter((s) => JSON.stringify(s.edits) === '{"update":["express"]}')).toHaveLength(1);
    // A within-range parent upgrade names the version `npm update` moves to, not the lowest that fixes.
    const send = plan.packages.find((entry) => entry.package === 'send')!;
    expect(send.suggestions.find((s) => s.kind === 'parent-upgrade')).toMatchObject({ parent: { name: 'express', from: '4.17.1', to: '4.22.3' }, edits: { update: ['express'] }, leavesRange: false });
    expect(plan.combined).toMatchObject({ overrides: {}, dependencies: [], update: ['express'] });
    expect(plan.combined.verification).toMatchObject({ fixed: ADVISORIES, stillVulnerable: [], introduced: [] });
  }, 120_000);
});

/** fix-express as an npm workspace project: the root declares no dependency, its workspace `web` pins express 4.17.1. */
function workspaceCopy(): string {
  const dir = copy();
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
  const root = { name: 'fix-express-workspaces', version: '1.0.0', private: true, workspaces: ['packages/web'] };
  const web = { name: 'web', version: '1.0.0', dependencies: { express: '4.17.1' } };
  lock.name = root.name;
  lock.packages = { '': { name: root.name, version: root.version, workspaces: root.workspaces }, 'node_modules/web': { resolved: 'packages/web', link: true }, 'packages/web': web, ...Object.fromEntries(Object.entries(lock.packages).filter(([location]) => location !== '')) };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(root, null, 2)}\n`);
  writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  mkdirSync(join(dir, 'packages/web'), { recursive: true });
  writeFileSync(join(dir, 'packages/web/package.json'), `${JSON.stringify(web, null, 2)}\n`);
  return dir;
}

describe.skipIf(!present)('depguard fix on a workspace project', () => {
  it("re-resolves with the workspaces' package.json files in the copy: suggestions are verified, and none is a fix by losing the workspace's dependencies", async () => {
    const dir = workspaceCopy();
    const ctx = context();
    const plan = await remediate(dir, ctx, { auditOverrides: false });
    expect(ctx.workspaces).toEqual(['packages/web']);
    expect(plan.packages.map((entry) => entry.package)).toEqual(HIT);
    const verified = plan.packages.flatMap((entry) => entry.suggestions).filter((s) => s.verification && !s.verification.error);
    expect(verified.length).toBeGreaterThan(0);
    for (const entry of plan.packages) expect(entry.suggestions.every((s) => !String(s.verification?.error ?? '').startsWith('not re-resolved')), entry.package).toBe(true);
    // The joined plan moves the workspace's express through a scoped override on the workspace, verified on a tree
    // that still holds the workspace's dependencies: express and its packages change, array-flatten (the same in
    // every express 4) does not. A copy without the workspace would have "fixed" all nine hits by losing them.
    expect(plan.combined.overrides).toMatchObject({ web: { express: '4.21.1' } });
    const joined = plan.combined.verification!;
    expect(joined.introduced).toEqual([]);
    expect(joined.fixed).toEqual(expect.arrayContaining(['express GHSA-qw6h-vgh9-j6wx', 'express GHSA-rv95-896h-c2vc', 'qs GHSA-hrpp-h998-j3pp']));
    expect(joined.changed).toContain('express');
    expect(joined.changed).not.toContain('array-flatten');
    expect(joined.fixed.length + joined.stillVulnerable.length).toBe(ADVISORIES.length);
  });
});
