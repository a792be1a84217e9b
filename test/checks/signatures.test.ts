// signatures against loopback registries that sign as the public registry
// does: ECDSA P-256 keys generated here, `dist.signatures` over
// `<name>@<version>:<integrity>`, keys served at /-/npm/v1/keys with their
// expiry (a rotated key: valid for what was published before it expired).
// A registry that publishes no keys is skipped with one diagnostic.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import signatures, { judgeSignatures } from '../../src/checks/signatures/index.js';
import { presetPolicy } from '../../src/policy/load.js';
import type { RequestEvent } from '../../src/enrich/registry-client.js';
import { fixture } from '../helpers/project.js';
import { auditWith, emptyCache, packumentForms, summary } from '../helpers/registry-checks.js';
import { integrityOf, TestRegistry } from '../enrich/registry-server.js';

const PROJECT = fixture('signatures-registry');
const OLD_EXPIRY = '2025-01-29T00:00:00.000Z';

function keyPair(): { privateKey: KeyObject; key: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, key: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') };
}

const current = keyPair();
const old = keyPair();
const other = keyPair();
let server: TestRegistry;
let keyless: TestRegistry;

function signed(registry: TestRegistry, name: string, version: string, privateKey: KeyObject, keyid: string, integrity = integrityOf(registry.tarballOf(name, version))) {
  return [{ keyid, sig: sign('sha256', Buffer.from(`${name}@${version}:${integrity}`), privateKey).toString('base64') }];
}

function addPackages(registry: TestRegistry): void {
  registry.add('good', { versions: { '1.0.0': {} } });
  registry.add('tampered', { versions: { '1.0.0': {} } });
  registry.add('unsigned', { versions: { '1.0.0': { signatures: null } } });
  registry.add('rotated', { versions: { '1.0.0': { time: '2019-06-28T18:46:27.981Z' } }, modified: '2024-05-01T00:00:00.000Z' });
  registry.add('expired', { versions: { '1.0.0': { time: '2024-01-01T00:00:00.000Z' }, '2.0.0': { time: '2025-06-01T00:00:00.000Z' } }, modified: '2025-06-01T00:00:00.000Z' });
  registry.add('stranger', { versions: { '1.0.0': {} } });
}

beforeAll(async () => {
  server = await new TestRegistry().start();
  server.signer = { keyid: 'SHA256:current', privateKey: current.privateKey };
  server.keys = {
    keys: [
      { expires: OLD_EXPIRY, keyid: 'SHA256:old', keytype: 'ecdsa-sha2-nistp256', scheme: 'ecdsa-sha2-nistp256', key: old.key },
      { expires: null, keyid: 'SHA256:current', keytype: 'ecdsa-sha2-nistp256', scheme: 'ecdsa-sha2-nistp256', key: current.key },
    ],
  };
  addPackages(server);
  // The registry signed another integrity than the one it now advertises: what a tampered mirror or metadata looks like.
  server.packages.get('tampered')!.versions['1.0.0']!.signatures = signed(server, 'tampered', '1.0.0', current.privateKey, 'SHA256:current', `sha512-${'A'.repeat(86)}==`);
  server.packages.get('rotated')!.versions['1.0.0']!.signatures = signed(server, 'rotated', '1.0.0', old.privateKey, 'SHA256:old');
  server.packages.get('expired')!.versions['2.0.0']!.signatures = signed(server, 'expired', '2.0.0', old.privateKey, 'SHA256:old');
  server.packages.get('stranger')!.versions['1.0.0']!.signatures = signed(server, 'stranger', '1.0.0', other.privateKey, 'SHA256:other');
  keyless = await new TestRegistry().start();
  addPackages(keyless);
});
afterAll(async () => {
  await server.stop();
  await keyless.stop();
});
afterEach(() => {
  server.requests.length = 0;
  keyless.requests.length = 0;
});

describe('signatures metadata', () => {
  it('invalid is critical, missing and untrusted keys high; off by default, on in strict', async () => {
    expect(Object.fromEntries(Object.entries(signatures.meta.rules).map(([rule, meta]) => [rule, meta.severity]))).toEqual({ invalid: 'critical', missing: 'high', 'untrusted-key': 'high' });
    expect((await presetPolicy('recommended')).checks.get('signatures')!.enabled).toBe(false);
    expect((await presetPolicy('strict')).checks.get('signatures')!.enabled).toBe(true);
  });
});

describe('signatures: signatures-registry', () => {
  it('verifies every signature; reports the invalid, the missing, the unknown key and the key expired before publishing', async () => {
    const { result } = await auditWith(server, PROJECT, ['signatures']);
    expect(summary(result.findings)).toEqual(['signatures/invalid tampered@1.0.0', 'signatures/missing unsigned@1.0.0', 'signatures/untrusted-key expired@2.0.0', 'signatures/untrusted-key stranger@1.0.0']);
    const [invalid, missing, expired, stranger] = result.findings;
    expect(invalid).toMatchObject({ severity: 'critical', evidence: { registry: server.url, keyid: 'SHA256:current', signed: `tampered@1.0.0:${integrityOf(server.tarballOf('tampered', '1.0.0'))}` } });
    expect(invalid!.message).toBe(`tampered@1.0.0 has an invalid registry signature (key SHA256:current): its integrity is not what ${server.url} signed`);
    expect(missing).toMatchObject({ rule: 'signatures/missing', severity: 'high', evidence: { registry: server.url, signatures: [] } });
    expect(expired!.evidence).toEqual({ registry: server.url, keyid: 'SHA256:old', reason: 'expired', expires: OLD_EXPIRY, published: '2025-06-01T00:00:00.000Z' });
    expect(stranger!.evidence).toEqual({ registry: server.url, keyid: 'SHA256:other', reason: 'unknown' });
    // good (current key) and rotated (old key, published before it expired) verify.
    expect(result.checks?.signatures).toEqual({ summary: { verified: 2, unsigned: 0 } });
    expect(result.diagnostics).toEqual([]);
  });

  it('asks for the keys once and the full packument only where a key expiry needs the publish time', async () => {
    const events: RequestEvent[] = [];
    await auditWith(server, PROJECT, ['signatures'], { access: { onRequest: (event) => events.push(event) } });
    expect(server.requests.filter((request) => request.url === '/-/npm/v1/keys')).toHaveLength(1);
    expect(packumentForms(server, 'expired')).toEqual(['corgi', 'full']);
    for (const name of ['good', 'tampered', 'unsigned', 'rotated', 'stranger']) expect(packumentForms(server, name)).toEqual(['corgi']);
    expect(events.filter((event) => event.url.endsWith('/-/npm/v1/keys'))).toHaveLength(1);
  });

  it('a warm cache answers the keys too; --offline verifies from it with no request', async () => {
    const cache = emptyCache();
    await auditWith(server, PROJECT, ['signatures'], { access: { cache } });
    server.requests.length = 0;
    const warm = await auditWith(server, PROJECT, ['signatures'], { access: { cache } });
    expect(server.requests).toEqual([]);
    const offline = await auditWith(server, PROJECT, ['signatures'], { access: { cache, mode: 'offline' } });
    expect(server.requests).toEqual([]);
    expect(summary(offline.result.findings)).toEqual(summary(warm.result.findings));
    expect(offline.result.findings).toHaveLength(4);
  });

  it('a registry that publishes no keys is skipped with one diagnostic', async () => {
    const { result } = await auditWith(keyless, PROJECT, ['signatures']);
    expect(result.findings).toEqual([]);
    expect(result.diagnostics).toEqual([expect.objectContaining({ level: 'warning', code: 'SIGNATURES_NO_KEYS', message: `${keyless.url} publishes no signing keys (-/npm/v1/keys): the signatures of 6 packages from it were not checked` })]);
  });

  it('keys that cannot be had are one error diagnostic, and nothing is judged', async () => {
    server.script('/-/npm/v1/keys', [{ status: 503, body: 'down' }], true);
    try {
      const { result } = await auditWith(server, PROJECT, ['signatures']);
      expect(result.findings).toEqual([]);
      expect(result.diagnostics.map((d) => [d.level, d.code])).toEqual([['error', 'SIGNATURES_KEYS_UNAVAILABLE']]);
    } finally {
      server.scripts.clear();
    }
  });
});

describe('signatures: the verification', () => {
  const key = { keyid: 'k', keytype: 'ecdsa-sha2-nistp256', scheme: 'ecdsa-sha2-nistp256', key: current.key, expires: null };
  const integrity = `sha512-${'B'.repeat(86)}==`;
  const good = [{ keyid: 'k', sig: sign('sha256', Buffer.from(`a@1.0.0:${integrity}`), current.privateKey).toString('base64') }];

  it('verifies over name@version:integrity and nothing else', () => {
    expect(judgeSignatures('a', '1.0.0', integrity, good, [key], null)).toEqual({ status: 'verified', keyid: 'k' });
    expect(judgeSignatures('a', '1.0.1', integrity, good, [key], null).status).toBe('invalid');
    expect(judgeSignatures('b', '1.0.0', integrity, good, [key], null).status).toBe('invalid');
    expect(judgeSignatures('a', '1.0.0', integrity, [{ keyid: 'k', sig: 'not base64 DER' }], [key], null).status).toBe('invalid');
  });

  it('honours expiry against the publish time, as pacote does', () => {
    const expiring = { ...key, expires: '2025-01-29T00:00:00.000Z' };
    expect(judgeSignatures('a', '1.0.0', integrity, good, [expiring], '2024-12-31T00:00:00.000Z').status).toBe('verified');
    expect(judgeSignatures('a', '1.0.0', integrity, good, [expiring], '2025-02-01T00:00:00.000Z')).toMatchObject({ status: 'untrusted-key', reason: 'expired' });
  });
});
