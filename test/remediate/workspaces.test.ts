// A verification copy's workspace manifests (src/remediate/workspaces.ts):
// each workspace's package.json lands at its folder in the copy, through the
// copy's sanitising; a location is data from the lockfile or package.json, so
// one that would write outside the copy is skipped.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyWorkspaceManifests } from '../../src/remediate/workspaces.js';

describe('workspace manifests in a verification copy', () => {
  it('copies each workspace package.json through the sanitising, and never writes outside the copy', () => {
    const project = mkdtempSync(join(tmpdir(), 'depguard-ws-project-'));
    mkdirSync(join(project, 'packages/web'), { recursive: true });
    writeFileSync(join(project, 'packages/web/package.json'), JSON.stringify({ name: 'web', scripts: { postinstall: 'node steal.js' } }));
    const outside = mkdtempSync(join(tmpdir(), 'depguard-ws-outside-'));
    mkdirSync(join(outside, 'victim'), { recursive: true });
    writeFileSync(join(outside, 'victim/package.json'), '{"name":"victim"}');
    const copy = mkdtempSync(join(tmpdir(), 'depguard-ws-copy-'));
    const strip = (text: string) => JSON.stringify({ ...JSON.parse(text), scripts: undefined });
    copyWorkspaceManifests(project, copy, ['packages/web', '../victim', join(outside, 'victim'), 'packages/absent', ''], strip);
    expect(JSON.parse(readFileSync(join(copy, 'packages/web/package.json'), 'utf8'))).toEqual({ name: 'web' });
    expect(existsSync(join(copy, '..', 'victim'))).toBe(false);
    expect(readFileSync(join(outside, 'victim/package.json'), 'utf8')).toBe('{"name":"victim"}');
    expect(existsSync(join(copy, 'packages/absent'))).toBe(false);
    expect(existsSync(join(copy, 'package.json'))).toBe(false);
  });
});
