// license: the licence every installed package declares, judged against the
// policy's allow and deny lists of SPDX licences. Licences are read from the
// lockfile, then (for the few it does not record) the registry and the
// published tarball's package.json; `license` strings, `{ type }` objects
// and the older `licenses` arrays are all read (util/declared-license.ts).
// Expressions are parsed and judged by the spdx-* libraries (classify.ts):
// `(MIT OR GPL-3.0-only)` is accepted when MIT is allowed. Packages only
// development needs are not judged by default: they are not shipped.

import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { DepNode } from '../../model.js';
import { compareStrings } from '../../util/compare.js';
import { matchesNamePattern } from '../../util/name-patterns.js';
import { defineCheck, type WithDefaults } from '../types.js';
import { judgeLicense, licenseList, readLicense, type LicensePolicy, type LicenseReading } from './classify.js';
import { graphLicenseSource, licenseFrom, needsLookup, needsTarball, type FoundLicense } from './resolve.js';

type Options = WithDefaults<FromSchema<typeof optionsSchema>, typeof defaultOptions>;

/** One package's licence as the check read it: the `packages` list of the JSON output, and the report's inventory. */
export interface LicenseEntry {
  name: string;
  version: string;
  location: string;
  dev: boolean;
  declared: string | null;
  expression: string | null;
  status: LicenseReading['status'] | 'unknown';
  source: FoundLicense['source'];
}

/** Whether a node is judged at all: installed packages, not the project's own folders. */
export function isLicensed(node: DepNode): boolean {
  return node.location !== '' && !node.isWorkspace && node.source !== 'directory' && node.source !== 'link' && node.source !== 'root' && node.source !== 'workspace';
}

type LicenseOptions = FromSchema<typeof optionsSchema>;

/** Whether the check judges a package at all, given its options. */
function judgedBy(node: DepNode, options: LicenseOptions): boolean {
  return isLicensed(node) && !matchesNamePattern(node.packageName, options.ignore ?? []) && (options.dev !== 'off' || !node.dev);
}

/** Whether the registry is asked about a judged package's licence (the lockfile records none, and `registry` is not off). */
function askRegistry(node: DepNode, options: Record<string, unknown>): boolean {
  const own = options as LicenseOptions;
  return own.registry !== false && judgedBy(node, own) && needsLookup(node);
}

const describeList = (items: string[]): string => (items.length === 1 ? items[0]! : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** SPDX licences accepted; when set, anything else is `not-allowed`. */
    allow: { type: 'array', items: { type: 'string', minLength: 1 } },
    /** SPDX licences refused. */
    deny: { type: 'array', items: { type: 'string', minLength: 1 } },
    /** Dev-only packages: 'off' not judged, 'low' judged at low severity at most, 'on' judged like the rest. */
    dev: { enum: ['off', 'low', 'on'] },
    /** Names or globs not judged (the organisation's own UNLICENSED packages: "@acme/*"). */
    ignore: { type: 'array', items: { type: 'string', minLength: 1 } },
    /** Read misspelled licences with spdx-correct (`Apache 2.0` -> Apache-2.0), saying so in an info finding. */
    correct: { type: 'boolean' },
    /** Look up licences the lockfile does not record in the registry and the tarball. */
    registry: { type: 'boolean' },
  },
} as const satisfies JSONSchema;

const defaultOptions = { deny: [], dev: 'off', ignore: [], correct: true, registry: true } satisfies FromSchema<typeof optionsSchema>;

export default defineCheck<Options>({
  meta: {
    id: 'license',
    description: 'The licence each installed package declares (lockfile, registry, tarball), judged against allow and deny lists of SPDX licences.',
    rules: {
      denied: {
        description: 'Every alternative of the package\'s licence expression needs a licence of the `deny` list (a range such as GPL-2.0-or-later counts when it admits one). Evidence: `license`, `expression`, `denied`.',
        severity: 'high',
        message: '{name}@{version} is licensed {expression}, which needs {denied}: denied by the policy',
      },
      'not-allowed': {
        description: 'An `allow` list is set and no alternative of the expression is made of allowed licences only. Evidence: `outside` (the licences not allowed).',
        severity: 'high',
        message: '{name}@{version} is licensed {expression}; {outside} is not in the allow list',
      },
      missing: {
        description: 'The package declares no licence in its lockfile entry, its registry metadata or its own package.json: no right to use it is granted.',
        severity: 'moderate',
        message: '{name}@{version} declares no licence ({checked})',
      },
      unlicensed: {
        description: 'The package declares `UNLICENSED`: npm\'s word for proprietary, no right granted (not the Unlicense).',
        severity: 'moderate',
        message: '{name}@{version} is UNLICENSED: its author grants no right to use it',
      },
      custom: {
        description: 'The package declares `SEE LICENSE IN <file>`: a licence of its own, to be read before shipping. Evidence: `file`.',
        severity: 'low',
        message: '{name}@{version} has a licence of its own ("{license}"): read it before shipping',
      },
      'not-spdx': {
        description: 'The declared licence is not an SPDX expression and spdx-correct cannot tell which it means.',
        severity: 'low',
        message: '{name}@{version} declares "{license}", which is not an SPDX licence expression: review it by hand',
      },
      unknown: {
        description: 'The licence could not be read: the lockfile records none and the registry was not asked (offline, `registry: false`), or the package is not a registry package. Evidence: `reason`.',
        severity: 'low',
        message: '{name}@{version}: the licence could not be read ({reason})',
      },
      corrected: {
        description: 'The declared licence is not valid SPDX; spdx-correct reads it as an SPDX expression, which is what the other rules judge. Evidence: `license` (as declared), `expression`.',
        severity: 'info',
        message: '{name}@{version} declares "{license}", read as {expression}',
      },
    },
    optionsSchema,
    defaultOptions,
    needs: ['registry'],
    enrich: {
      packuments: { full: true, select: askRegistry },
      tarballManifests: { select: (found, node, options) => askRegistry(node, options) && needsTarball(found) },
    },
    enabledByDefault: false,
  },
  run(ctx) {
    const options = ctx.options;
    const policy: LicensePolicy = {
      allow: options.allow === undefined ? null : licenseList(options.allow, 'checks.license.allow'),
      deny: licenseList(options.deny ?? [], 'checks.license.deny'),
    };
    const judged = [...ctx.graph.nodes.values()].filter((node) => ctx.scope.judges(node) && judgedBy(node, options));
    const graphSource = graphLicenseSource(ctx.graph.loadedFrom);
    const asked = options.registry !== false && ctx.enriched.fromRegistry;
    const entries: LicenseEntry[] = [];
    for (const node of judged) {
      const packument = ctx.enriched.packuments.get(node) ?? null;
      const tarball = ctx.enriched.tarballManifests.get(node);
      const license = licenseFrom(node, graphSource, asked ? { packument, ...(tarball ? { tarball } : {}) } : null);
      const reading = readLicense(license.declared, { correct: options.correct !== false });
      const unknown = license.source === null;
      entries.push({ name: node.packageName, version: node.version, location: node.location, dev: node.dev, declared: reading.declared, expression: reading.expression, status: unknown ? 'unknown' : reading.status, source: license.source });
      const base = { name: node.packageName, version: node.version, license: reading.declared ?? '', expression: reading.expression ?? '' };
      const evidence: Record<string, unknown> = { license: reading.declared, source: license.source };
      if (reading.expression) evidence.expression = reading.expression;
      if (node.dev) evidence.dev = true;
      const severity = node.dev && options.dev === 'low' ? ({ severity: 'low' } as const) : {};
      const via = node.dev ? ({ via: 'dev' } as const) : {};
      const report = (rule: string, data: Record<string, string>, extra: Record<string, unknown> = {}) =>
        ctx.report({ rule, node, data: { ...base, ...data }, evidence: { ...evidence, ...extra }, ...via, ...(rule === 'corrected' ? {} : severity) });
      if (unknown) {
        report('unknown', { reason: license.unknown ?? 'no source' }, { reason: license.unknown });
        continue;
      }
      switch (reading.status) {
        case 'missing':
          report('missing', { checked: license.source === 'tarball' ? 'lockfile, registry and its package.json checked' : license.source === 'registry' ? 'lockfile and registry checked' : `${license.source} checked` });
          continue;
        case 'unlicensed':
          report('unlicensed', {});
          continue;
        case 'custom':
          report('custom', {}, { file: reading.file });
          continue;
        case 'not-spdx':
          report('not-spdx', {});
          continue;
        case 'corrected':
          evidence.corrected = { from: reading.declared, to: reading.expression };
          report('corrected', {});
          break;
        case 'spdx':
          break;
      }
      const judgement = judgeLicense(reading.expression!, policy);
      if (judgement.verdict === 'denied') report('denied', { denied: describeList(judgement.denied) }, { denied: judgement.denied });
      else if (judgement.verdict === 'not-allowed') report('not-allowed', { outside: describeList(judgement.outside) }, { outside: judgement.outside });
    }
    ctx.data('packages', entries.sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.version, b.version) || compareStrings(a.location, b.location)));
  },
});
