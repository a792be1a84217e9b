// Shared by the report tests: registry data for real-service's direct
// dependencies (served by the loopback TestRegistry, in the public registry's
// documented packument shapes), an in-process report run, and the two JSON
// Schemas the outputs are validated against.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ErrorObject } from 'ajv';
import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { AuditOptions } from '../../src/commands/check.js';
import type { ReportDocument } from '../../src/render/report-model.js';
import { report } from '../../src/commands/report/run.js';
import { SNAPSHOT_SCHEMA } from '../../src/commands/report/snapshot.js';
import type { PackageSpec, TestRegistry } from '../enrich/registry-server.js';
import { withoutAdvisories } from '../helpers/cli.js';
import { REPO } from '../helpers/project.js';
import { AUDIT_DATE, emptyCache } from '../helpers/registry-checks.js';

export const REPORT_DATE = AUDIT_DATE;

const day = (date: string) => `${date}T12:00:00.000Z`;

/**
 * A quarter's worth of releases around real-service's locked versions, one
 * scenario per package: up to date, a patch / minor / major behind, a
 * latest published after the report date, a prerelease only, a deprecated
 * version, no release in over two years.
 */
export const REAL_SERVICE_RELEASES: Record<string, PackageSpec> = {
  '@aws-sdk/client-s3': {
    versions: { '3.1175.0': { time: day('2026-09-02') }, '3.1180.0': { time: day('2026-10-01') }, '3.1190.0': { time: day('2026-11-10') } },
  },
  axios: { versions: { '1.21.1': { time: day('2026-07-14') }, '1.21.2': { time: day('2026-08-20') } } },
  cors: { versions: { '2.8.5': { time: day('2018-11-04') }, '2.8.6': { time: day('2023-01-15') } } },
  dotenv: { versions: { '18.0.10': { time: day('2026-05-01') }, '18.1.0': { time: day('2026-07-01') }, '19.0.0': { time: day('2026-10-15') } } },
  express: { versions: { '5.2.0': { time: day('2026-01-20') }, '5.3.0': { time: day('2026-06-10') } } },
  // The next major is out after the report date: as of the report, 8.3.0 is the latest.
  helmet: { versions: { '8.3.0': { time: day('2026-03-01') }, '9.0.0': { time: day('2026-12-15') } } },
  ioredis: { versions: { '6.0.0': { time: day('2026-04-01') }, '6.1.0-beta.1': { time: day('2026-10-01') } }, distTags: { latest: '6.0.0', next: '6.1.0-beta.1' } },
  jsonwebtoken: {
    versions: { '9.0.3': { time: day('2025-11-20'), deprecated: 'verify() accepts unsigned tokens in some configurations; upgrade to 9.0.4' }, '9.0.4': { time: day('2026-01-10') } },
  },
  pg: { versions: { '8.23.1': { time: day('2026-08-01') }, '8.24.0': { time: day('2026-09-15') } } },
  pino: { versions: { '10.3.1': { time: day('2026-05-01') }, '10.4.0': { time: day('2026-07-01') }, '11.0.0': { time: day('2026-11-01') } } },
  zod: { versions: { '4.6.7': { time: day('2026-06-15') } } },
  eslint: { versions: { '10.15.0': { time: day('2026-08-29') }, '10.16.0': { time: day('2026-09-26') }, '10.17.0': { time: day('2026-10-24') }, '10.18.0': { time: day('2026-11-21') } } },
  mocha: { versions: { '12.0.3': { time: day('2026-02-01') } } },
};

export function serveRealService(server: TestRegistry): void {
  for (const [name, spec] of Object.entries(REAL_SERVICE_RELEASES)) server.add(name, spec);
}

/** `depguard report` in-process, against the loopback registry, as of the report date. */
export async function reportWith(server: TestRegistry | null, path: string, options: Partial<AuditOptions> & { previous?: ReportDocument | null } = {}): Promise<ReportDocument> {
  const { previous = null, registryAccess, ...audit } = options;
  const { document } = await report(
    {
      path,
      registries: { registry: server?.url ?? 'https://registry.example.org/', scopes: {} },
      today: REPORT_DATE,
      registryAccess: { cache: emptyCache(), fetchOptions: { retry: { retries: 0 }, timeout: 3000 }, ...(server ? {} : { mode: 'offline' }), ...registryAccess },
      // Not about advisories (the default gate's): skipped unless the test picks checks itself.
      ...(audit.only || audit.skip || audit.advisories ? {} : { skip: ['advisories'] }),
      ...audit,
    },
    previous,
  );
  return document;
}

type Validate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** The report snapshot schema (draft 2020-12), strict: extra keys are errors here. */
export async function snapshotValidator(): Promise<Validate> {
  const { default: Ajv2020 } = (await import('ajv/dist/2020.js')) as unknown as { default: new (options: object) => { compile(schema: object): Validate } };
  return new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(SNAPSHOT_SCHEMA, 'utf8')) as object);
}

/**
 * The SARIF 2.1.0 schema (final, rtm.5, JSON Schema draft-04) as Microsoft's
 * @microsoft/jest-sarif package ships it, with the formats it uses checked.
 */
export const SARIF_SCHEMA = join(REPO, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');

export async function sarifValidator(): Promise<Validate> {
  const { default: AjvDraft04 } = (await import('ajv-draft-04')) as unknown as {
    default: new (options: object) => { addFormat(name: string, check: (value: string) => boolean): void; compile(schema: object): Validate };
  };
  // The rtm.5 schema's language pattern is not valid as a unicode regular expression.
  const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
  ajv.addFormat('uri', (value) => URL.canParse(value));
  // A relative reference: no scheme-less spaces, nothing a URL parser rejects against a base.
  ajv.addFormat('uri-reference', (value) => !/\s/.test(value) && URL.canParse(value, 'file:///base/'));
  ajv.addFormat('date-time', (value) => !Number.isNaN(Date.parse(value)) && /^\d{4}-\d{2}-\d{2}T/.test(value));
  return ajv.compile(JSON.parse(readFileSync(SARIF_SCHEMA, 'utf8')) as object);
}

export function errorsOf(validate: Validate): string {
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`).join('\n');
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The CLI in-process (main(), as bin/depguard.js runs it), so that the
 * loopback registry in this process can answer: npm's config from the
 * environment (this registry, an empty cache and user config, no retries).
 * Relative paths are taken from the repository, as a user in it would type them.
 */
export async function runCli(args: string[], env: Record<string, string> = {}, options: { advisories?: boolean } = {}): Promise<CliRun> {
  const saved = { ...process.env };
  Object.assign(process.env, {
    npm_config_registry: 'https://registry.example.org/',
    npm_config_cache: emptyCache(),
    npm_config_userconfig: join(mkdtempSync(join(tmpdir(), 'depguard-home-')), 'npmrc'),
    npm_config_fetch_retries: '0',
    npm_config_fetch_timeout: '3000',
    NO_COLOR: '1',
    ...env,
  });
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const cwd = process.cwd();
  try {
    process.chdir(REPO);
    const code = await main([...(options.advisories ? args : withoutAdvisories(args)), '--no-progress']);
    return { code, stdout, stderr };
  } finally {
    process.chdir(cwd);
    out.mockRestore();
    err.mockRestore();
    process.env = saved;
  }
}
