// A registry on 127.0.0.1 for tests: packuments in the public registry's
// documented shapes (full `application/json` and abbreviated
// `application/vnd.npm.install-v1+json`), tarballs, ETag / 304, and scripted
// failures (status sequences, delays, bad bodies). Every request is logged,
// so tests can assert what was (and was not) asked for. The server itself is
// the tests' one loopback server (helpers/loopback-server.ts).

import { createHash, sign, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { LoopbackServer, sendJson } from '../helpers/loopback-server.js';

export interface VersionSpec {
  scripts?: Record<string, string>;
  engines?: Record<string, string>;
  deprecated?: string;
  gypfile?: boolean;
  provenance?: boolean;
  /** Publish time (ISO). */
  time?: string;
  /** Tarball bytes served for this version (default: a small valid package). */
  tarball?: Buffer;
  /** dist.integrity to advertise (default: that of the tarball); null: neither integrity nor shasum. */
  integrity?: string | null;
  /** Advertise only the legacy dist.shasum, as very old packages do. */
  shasumOnly?: boolean;
  /** dist.tarball to advertise (default: this server). */
  tarballUrl?: string;
  /** The publishing account (`_npmUser.name`; default `tester`); null: no `_npmUser`, as some mirrors serve. */
  npmUser?: string | null;
  /** Serve the version's `maintainers` as the package.json's authored list (`Name <email>` strings, display-name objects) instead of registry accounts. */
  authoredMaintainers?: Array<string | Record<string, string>>;
  /** The version's maintainer list (default: the package's). */
  maintainers?: string[];
  /** dist.signatures as served (default: signed by the server's signer, else a placeholder); null: none. */
  signatures?: Array<{ keyid: string; sig: string }> | null;
  /** Manifest fields as the registry serves them (the tarball's package.json may say otherwise). */
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  bin?: string | Record<string, string>;
  os?: string[];
  cpu?: string[];
  /** The licence fields of the full document instead of `license: "MIT"` ({} for none, `{ licenses: [...] }` for the older form). */
  licenseFields?: Record<string, unknown>;
}

export interface PackageSpec {
  versions: Record<string, VersionSpec>;
  /** The package's current maintainers (default `tester`). */
  maintainers?: string[];
  distTags?: Record<string, string>;
  modified?: string;
}

export interface LoggedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** A scripted reply: a status (with optional headers/body), a delay, or a raw body. */
export interface Scripted {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  delayMs?: number;
  /** Drop the connection right after writing the body (a transfer cut short). */
  hangUp?: boolean;
}

const BLOCK = 512;

function tarHeader(path: string, size: number, type = '0'): Buffer {
  const header = Buffer.alloc(BLOCK, 0);
  header.write(path, 0, 100, 'utf8');
  header.write('0000644\0', 100, 8, 'ascii');
  header.write('0000000\0', 108, 8, 'ascii');
  header.write('0000000\0', 116, 8, 'ascii');
  header.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 12, 'ascii');
  header.write('00000000000\0', 136, 12, 'ascii');
  header.write('        ', 148, 8, 'ascii');
  header.write(type, 156, 1, 'ascii');
  header.write('ustar\0', 257, 6, 'ascii');
  header.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return header;
}

/** A gzipped tar of `package/<path>` files, as npm packs them. */
export function makeTarball(files: Record<string, string | Buffer>): Buffer {
  const parts: Buffer[] = [];
  for (const [path, content] of Object.entries(files)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
    parts.push(tarHeader(`package/${path}`, data.length), data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK, 0));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return gzipSync(Buffer.concat(parts));
}

export function integrityOf(bytes: Buffer): string {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

function person(name: string): { name: string; email: string } {
  return { name, email: `${name}@example.org` };
}

function unscoped(name: string): string {
  return name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
}

export class TestRegistry extends LoopbackServer {
  readonly requests: LoggedRequest[] = [];
  readonly packages = new Map<string, PackageSpec>();
  /** Scripted replies by request path, consumed in order; the last one repeats when `repeat` is set. */
  readonly scripts = new Map<string, { replies: Scripted[]; repeat: boolean }>();
  inFlight = 0;
  maxInFlight = 0;
  /** Signs every version's `<name>@<version>:<integrity>` as the public registry does (ECDSA P-256, SHA-256, DER, base64). */
  signer: { keyid: string; privateKey: KeyObject } | null = null;
  /** The body of `/-/npm/v1/keys` (`{ keys: [...] }`); null: 404, a registry that publishes no keys. */
  keys: unknown = null;

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    this.requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    res.on('close', () => this.inFlight--);
    void this.#handle(req.url ?? '/', req.headers, res);
  }

  /** Requests whose path is the packument of a name (either form). */
  packumentRequests(name: string): LoggedRequest[] {
    const path = `/${name.replace('/', '%2f')}`;
    return this.requests.filter((request) => request.url === path);
  }

  script(path: string, replies: Scripted[], repeat = false): void {
    this.scripts.set(path, { replies: [...replies], repeat });
  }

  add(name: string, spec: PackageSpec): void {
    this.packages.set(name, spec);
  }

  tarballPath(name: string, version: string): string {
    return `/${name}/-/${unscoped(name)}-${version}.tgz`;
  }

  tarballOf(name: string, version: string): Buffer {
    return this.packages.get(name)?.versions[version]?.tarball ?? makeTarball({ 'package.json': JSON.stringify({ name, version }), 'index.js': 'module.exports = 1;\n' });
  }

  /** The full packument, in the registry's documented shape. */
  full(name: string): Record<string, unknown> {
    const spec = this.packages.get(name)!;
    const versions = Object.keys(spec.versions);
    const latest = versions[versions.length - 1]!;
    const time: Record<string, string> = { created: '2020-01-01T00:00:00.000Z', modified: spec.modified ?? '2024-05-01T00:00:00.000Z' };
    const docs: Record<string, unknown> = {};
    for (const [version, v] of Object.entries(spec.versions)) {
      time[version] = v.time ?? '2024-01-01T00:00:00.000Z';
      docs[version] = {
        name,
        version,
        description: `${name} for tests`,
        main: 'index.js',
        ...(v.licenseFields ?? { license: 'MIT' }),
        ...(v.scripts ? { scripts: v.scripts } : {}),
        ...(v.engines ? { engines: v.engines } : {}),
        ...(v.deprecated ? { deprecated: v.deprecated } : {}),
        ...(v.gypfile !== undefined ? { gypfile: v.gypfile } : {}),
        ...this.#manifestFields(v),
        _id: `${name}@${version}`,
        _npmVersion: '10.8.2',
        _nodeVersion: '22.11.0',
        ...(v.npmUser === null ? {} : { _npmUser: person(v.npmUser ?? 'tester') }),
        maintainers: v.authoredMaintainers ?? (v.maintainers ?? spec.maintainers ?? ['tester']).map(person),
        dist: this.#dist(name, version, v),
      };
    }
    return {
      _id: name,
      _rev: '3-0123456789abcdef',
      name,
      description: `${name} for tests`,
      'dist-tags': spec.distTags ?? { latest },
      versions: docs,
      time,
      maintainers: (spec.maintainers ?? ['tester']).map(person),
      readme: `# ${name}\n`,
      readmeFilename: 'README.md',
      license: 'MIT',
    };
  }

  /** The abbreviated ("corgi") packument npm installs from. */
  abbreviated(name: string): Record<string, unknown> {
    const spec = this.packages.get(name)!;
    const versions = Object.keys(spec.versions);
    const docs: Record<string, unknown> = {};
    for (const [version, v] of Object.entries(spec.versions)) {
      const installScript = v.scripts && ['preinstall', 'install', 'postinstall'].some((event) => event in v.scripts!);
      docs[version] = {
        name,
        version,
        ...(v.engines ? { engines: v.engines } : {}),
        ...(v.deprecated ? { deprecated: v.deprecated } : {}),
        ...(installScript ? { hasInstallScript: true } : {}),
        ...this.#manifestFields(v),
        dist: this.#dist(name, version, v),
      };
    }
    return { name, modified: spec.modified ?? '2024-05-01T00:00:00.000Z', 'dist-tags': spec.distTags ?? { latest: versions[versions.length - 1]! }, versions: docs };
  }

  #manifestFields(v: VersionSpec): Record<string, unknown> {
    const fields: Record<string, unknown> = {};
    for (const key of ['dependencies', 'optionalDependencies', 'peerDependencies', 'bin', 'os', 'cpu'] as const) if (v[key] !== undefined) fields[key] = v[key];
    return fields;
  }

  #signatures(name: string, version: string, integrity: string | null | undefined, v: VersionSpec): Array<{ keyid: string; sig: string }> | null {
    if (v.signatures !== undefined) return v.signatures;
    if (!this.signer) return [{ keyid: 'SHA256:test', sig: 'MEUCIQ==' }];
    const sig = sign('sha256', Buffer.from(`${name}@${version}:${integrity ?? ''}`), this.signer.privateKey).toString('base64');
    return [{ keyid: this.signer.keyid, sig }];
  }

  #dist(name: string, version: string, v: VersionSpec): Record<string, unknown> {
    const tarball = this.tarballOf(name, version);
    const integrity = v.integrity === undefined ? integrityOf(tarball) : v.integrity;
    const signatures = this.#signatures(name, version, integrity, v);
    return {
      ...(integrity && !v.shasumOnly ? { integrity } : {}),
      ...(v.integrity === null ? {} : { shasum: createHash('sha1').update(tarball).digest('hex') }),
      tarball: v.tarballUrl ?? `${this.url}${name}/-/${unscoped(name)}-${version}.tgz`,
      fileCount: 2,
      unpackedSize: 100,
      ...(signatures ? { signatures } : {}),
      ...(v.provenance ? { attestations: { url: `${this.url}-/npm/v1/attestations/${name}@${version}`, provenance: { predicateType: 'https://slsa.dev/provenance/v1' } } } : {}),
    };
  }

  async #handle(url: string, headers: IncomingHttpHeaders, res: ServerResponse): Promise<void> {
    const scripted = this.scripts.get(url);
    if (scripted && scripted.replies.length > 0) {
      const reply = scripted.replies.length === 1 && scripted.repeat ? scripted.replies[0]! : scripted.replies.shift()!;
      if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
      if (reply.status !== undefined || reply.body !== undefined) {
        if (res.destroyed) return;
        res.writeHead(reply.status ?? 200, reply.headers ?? { 'content-type': 'application/json' });
        if (reply.hangUp) {
          res.write(reply.body ?? '', () => res.socket?.destroy());
          return;
        }
        res.end(reply.body ?? '');
        return;
      }
    }
    const tarball = /^\/(.+)\/-\/[^/]+-(\d[^/]*)\.tgz$/.exec(url);
    if (tarball) {
      const name = decodeURIComponent(tarball[1]!);
      if (!this.packages.get(name)?.versions[tarball[2]!]) return sendJson(res, 404, { error: 'not found' });
      const bytes = this.tarballOf(name, tarball[2]!);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length), 'cache-control': 'public, immutable, max-age=31557600' });
      res.end(bytes);
      return;
    }
    if (url === '/-/npm/v1/keys') return this.keys === null ? sendJson(res, 404, { error: 'Not found' }) : sendJson(res, 200, this.keys);
    const name = decodeURIComponent(url.slice(1));
    if (!this.packages.has(name)) return sendJson(res, 404, { error: 'Not found' });
    const corgi = String(headers.accept ?? '').startsWith('application/vnd.npm.install-v1+json');
    const body = JSON.stringify(corgi ? this.abbreviated(name) : this.full(name));
    const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
    const common = {
      etag,
      'last-modified': new Date(Date.parse(this.packages.get(name)!.modified ?? '2024-05-01T00:00:00.000Z')).toUTCString(),
      // Always revalidate, so tests control freshness with the compact cache's clock alone.
      'cache-control': 'public, max-age=0',
      vary: 'accept, accept-encoding',
    };
    if (headers['if-none-match'] === etag) {
      res.writeHead(304, common);
      res.end();
      return;
    }
    res.writeHead(200, { ...common, 'content-type': corgi ? 'application/vnd.npm.install-v1+json' : 'application/json' });
    res.end(body);
  }
}
