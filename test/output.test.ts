// The one render -> write -> exit helper of check, diff and report, and the gate it decides with.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deliver } from '../src/cli/output.js';
import type { Finding } from '../src/model.js';
import { failingFindings } from '../src/policy/gate.js';
import { tempProject } from './helpers/project.js';

const finding = (severity: Finding['severity'], waived = false): Finding =>
  ({ check: 'lockfile', rule: 'lockfile/missing', severity, package: null, paths: [], message: 'm', evidence: {}, ...(waived ? { waived: { id: 'w', reason: 'r' } } : {}) }) as unknown as Finding;

afterEach(() => vi.restoreAllMocks());

describe('the gate', () => {
  it('fails on unwaived findings at or above --fail-on, never on none', () => {
    const findings = [finding('high'), finding('critical', true), finding('moderate')];
    expect(failingFindings(findings, 'high')).toEqual([findings[0]]);
    expect(failingFindings(findings, 'moderate')).toHaveLength(2);
    expect(failingFindings(findings, 'none')).toEqual([]);
  });
});

describe('deliver', () => {
  it('renders, writes to stdout and exits 1 when a finding fails the gate', () => {
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(deliver({ render: () => 'doc\n', summary: 's', failing: [finding('high')] }, undefined)).toBe(1);
    expect(stdout).toHaveBeenCalledWith('doc\n');
  });

  it('writes --output atomically with the summary on stderr, exit 0 when nothing fails', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const file = join(tempProject({}), 'out.json');
    expect(deliver({ render: () => '{}\n', summary: 'no findings', failing: [] }, file)).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('{}\n');
    expect(stderr).toHaveBeenCalledWith(`no findings\nwrote ${file}\n`);
  });
});
