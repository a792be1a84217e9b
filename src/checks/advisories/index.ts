// The advisories check: known vulnerabilities and malicious releases, from
// the registry's bulk advisory endpoint, the OSV API or an offline OSV
// database (by default whichever answers first: enrich/advisories/auto.ts),
// matched with npm audit's semantics (./match.ts), so depguard and
// `npm audit` agree on the same advisory data. The sources and normalisation
// live in src/enrich/advisories/, matching and fixes beside this file. The
// engine asks the source and matches before any check runs (./gather.ts, the
// check's enrich step); this file holds the check's metadata, its options and
// its run, which turns that evidence into findings.
//
// Fails closed: a source that cannot be reached or answers garbage stops the
// audit (exit 2, naming the source) unless advisories are optional
// (--advisories optional), when the audit goes on, says so in a diagnostic
// and records `checks.advisories.checked: false`.

import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import semver from 'semver';
import { fixFor, type Fix } from './fix.js';
import type { Vuln } from './match.js';
import { DEFAULT_OSV_API } from '../../enrich/advisories/osv-api.js';
import type { Advisory } from '../../enrich/advisories/types.js';
import type { AdvisoryRef, DepNode } from '../../model.js';
import { defineCheck, type WithDefaults, type CheckContext } from '../types.js';

export type AdvisoriesOptions = WithDefaults<FromSchema<typeof optionsSchema>, typeof defaultOptions>;

const SEMVER = { includePrerelease: true, loose: true } as const;
/** Skipped records named one by one before they are summed up. */
const SHOWN_SKIPS = 10;

function advisoryRef(advisory: Advisory): AdvisoryRef {
  return { id: advisory.id, aliases: advisory.aliases, url: advisory.url, title: advisory.title, range: advisory.range, source: advisory.origin };
}

/**
 * The advisory's first fixed version above the installed one: the lowest
 * published version past `installed` outside the advisory's own range (what
 * the record's `fixed` event names), not what a refresh would pick.
 */
export function firstFixed(vuln: Vuln, range: string, installed: string): string | null {
  const from = semver.valid(installed, SEMVER);
  if (!from || !vuln.packument) return null;
  const above = Object.keys(vuln.packument.versions)
    .filter((version) => semver.valid(version, SEMVER) !== null && semver.prerelease(version, SEMVER) === null && semver.gt(version, from, SEMVER) && !semver.satisfies(version, range, SEMVER))
    .sort((a, b) => semver.compare(a, b, SEMVER));
  return above[0] ?? null;
}

/**
 * The remedy in words that are true: "fixed in" is the advisory's first fixed
 * version; a version a lockfile refresh reaches is named as a refresh; a move
 * outside the declared ranges says whether it is an upgrade or a downgrade.
 */
export function fixText(fix: Fix, installed: string, fixedIn: string | null, name: string): string {
  if (!fix.available) return 'no fixed version is published';
  const first = fixedIn ? `fixed in ${fixedIn}; ` : '';
  if (fix.inRange) return `${first}a lockfile refresh moves it to ${fix.version} within the declared ranges (\`npm update ${name}\`)`;
  if (!fix.version) return `${first}no fixed version is reachable`;
  const from = semver.valid(installed, SEMVER);
  const direction = from && semver.lt(fix.version, from, SEMVER) ? 'downgrade' : 'upgrade';
  const kind = fix.isSemVerMajor ? `a major ${direction}` : direction === 'upgrade' ? 'an upgrade' : 'a downgrade';
  return `${first}the nearest safe version, ${fix.version}, is outside a declared range (${kind} from ${installed})`;
}

interface Pending {
  rule: 'vulnerable' | 'malicious' | 'metavulnerability';
  node: DepNode;
  advisory: Advisory;
  vuln: Vuln;
  /** For metavulnerabilities: the vulnerable dependencies this package cannot avoid. */
  dependencies: Set<string>;
  /** The dependent's vulnerable versions (metavulnerability) or the advisory's range. */
  range: string;
}

async function run(ctx: CheckContext<AdvisoriesOptions>): Promise<void> {
  const evidence = ctx.enriched.advisories;
  if (!evidence) return;
  if (!evidence.checked) {
    ctx.diagnostic({ level: 'error', code: 'ADVISORIES_NOT_CHECKED', message: `advisories were not checked (--advisories optional): advisory source ${evidence.source}: ${evidence.error}` });
    ctx.data('source', evidence.source);
    ctx.data('checked', false);
    ctx.data('error', evidence.error);
    return;
  }
  const { lookup, advisories, view } = evidence;
  const { vulns, calculator, misses } = evidence.audit;
  for (const why of lookup.fellBack ?? []) {
    ctx.diagnostic({ level: 'warning', code: 'ADVISORY_SOURCE_FALLBACK', message: `advisories came from ${evidence.source} because ${why}` });
  }
  const unchecked = lookup.unchecked ?? [];
  if (unchecked.length > 0) {
    const shown = unchecked.length > SHOWN_SKIPS ? `${unchecked.slice(0, SHOWN_SKIPS).join(', ')} and ${unchecked.length - SHOWN_SKIPS} more` : unchecked.join(', ');
    ctx.diagnostic({
      level: 'warning',
      code: 'ADVISORIES_PARTLY_CHECKED',
      message: `advisories were not checked for ${unchecked.length} package${unchecked.length === 1 ? '' : 's'} from registries that are not public (${shown}): their names are not sent to ${evidence.source}; run \`depguard db update\` for a local copy that checks them too`,
    });
  }
  lookup.skipped.slice(0, SHOWN_SKIPS).forEach(({ where, reason }) => ctx.diagnostic({ level: 'warning', code: 'ADVISORY_RECORD_SKIPPED', message: `skipped an advisory record: ${where}: ${reason}` }));
  if (lookup.skipped.length > SHOWN_SKIPS) {
    ctx.diagnostic({ level: 'warning', code: 'ADVISORY_RECORD_SKIPPED', message: `skipped ${lookup.skipped.length - SHOWN_SKIPS} more advisory records that could not be read` });
  }
  for (const [name, reason] of [...misses].sort(([a], [b]) => (a < b ? -1 : 1))) {
    ctx.diagnostic({
      level: 'warning',
      code: 'ADVISORY_PACKUMENT_MISSING',
      message: `the packument of ${name} could not be had (${reason}): its versions were taken as all vulnerable for metavulnerabilities and fixes, as npm does`,
    });
  }
  // One finding per (node, published advisory): a metavulnerability names the advisory at the root of its chain.
  const pending = new Map<string, Pending>();
  for (const vuln of vulns.values()) {
    for (const node of vuln.nodes) {
      for (const held of vuln.advisories) {
        if (!held.testVersion(node.version)) continue;
        const root = calculator.root(held);
        const rule = held.type === 'metavuln' ? 'metavulnerability' : root.malicious ? 'malicious' : 'vulnerable';
        const key = `${node.location}\u0000${rule}\u0000${root.id}`;
        const entry = pending.get(key) ?? { rule, node, advisory: root, vuln, dependencies: new Set<string>(), range: held.type === 'metavuln' ? held.range : root.range };
        if (held.type === 'metavuln') entry.dependencies.add(held.dependency);
        pending.set(key, entry);
      }
    }
  }
  const fixes = new Map<string, Fix>();
  for (const entry of pending.values()) {
    const { node, advisory, vuln } = entry;
    const fixKey = `${vuln.name}\u0000${node.location}`;
    let fix = fixes.get(fixKey);
    if (!fix) {
      fix = fixFor(vuln, node, view);
      fixes.set(fixKey, fix);
    }
    const evidence: Record<string, unknown> = {
      severity: advisory.severity,
      range: advisory.range,
      direct: view.isDirect(node),
      ...(advisory.cvss ? { cvss: advisory.cvss } : {}),
      ...(advisory.cwe.length > 0 ? { cwe: advisory.cwe } : {}),
    };
    if (entry.rule === 'metavulnerability') {
      evidence.dependencies = [...entry.dependencies].sort();
      evidence.vulnerableVersions = entry.range;
    }
    // A metavulnerability's advisory is about a dependency: its fixed versions are not this package's.
    const fixedIn = entry.rule === 'metavulnerability' ? null : firstFixed(vuln, advisory.range, node.version);
    ctx.report({
      rule: entry.rule,
      node,
      severity: entry.rule === 'malicious' ? 'critical' : advisory.severity,
      advisory: advisoryRef(advisory),
      fix: { ...fix, ...(fixedIn ? { firstFixed: fixedIn } : {}), ...(fix.version && semver.valid(node.version, SEMVER) ? { direction: semver.lt(fix.version, node.version, SEMVER) ? 'downgrade' : 'upgrade' } : {}) },
      data: {
        name: node.packageName,
        version: node.version,
        id: advisory.id,
        title: advisory.title,
        dependencies: [...entry.dependencies].sort().join(', '),
        fix: fixText(fix, node.version, fixedIn, node.packageName),
      },
      evidence,
    });
  }
  ctx.data('source', evidence.source);
  ctx.data('checked', true);
  if (unchecked.length > 0) ctx.data('unchecked', unchecked);
  ctx.data('advisories', new Set(advisories.map((advisory) => advisory.id)).size);
  ctx.data('vulnerablePackages', [...vulns.keys()].sort());
}

const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** `auto` (bulk endpoint, else OSV API, else db), `npm` (bulk endpoint), `osv` (OSV API), `db` (`depguard db update`'s database) or a path to an OSV folder or zip. */
    source: { type: 'string', minLength: 1, description: 'auto (the registry\'s bulk endpoint, else the OSV API for public packages, else the db copy), npm, osv, db, or a path to a folder of OSV JSON files or an OSV export zip' },
    /** Ask the bulk endpoint of this registry instead of the default one. */
    auditRegistry: { type: ['string', 'null'], pattern: '^https?://', description: 'registry whose bulk advisory endpoint is asked (default: the default registry)' },
    /** false: an unreachable source is a diagnostic, not exit 2. */
    required: { type: 'boolean', description: 'false: an unreachable advisory source is a diagnostic instead of exit 2' },
    /** The OSV API's base URL, for `source: "osv"`. */
    osvApi: { type: 'string', pattern: '^https?://', description: 'base URL of the OSV API' },
    /** `auto`: registries besides npm's default whose package names may be sent to the OSV API (public mirrors). */
    publicRegistries: {
      type: 'array',
      items: { type: 'string', pattern: '^https?://' },
      description: 'auto: registries (besides npm\'s default) whose package names may be sent to the OSV API when the registry has no audit endpoint, e.g. a mirror of the public registry',
    },
  },
} as const satisfies JSONSchema;

const defaultOptions = { source: 'auto', auditRegistry: null, required: true, osvApi: DEFAULT_OSV_API, publicRegistries: [] } satisfies FromSchema<typeof optionsSchema>;

export default defineCheck<AdvisoriesOptions>({
  meta: {
    id: 'advisories',
    description:
      'Known vulnerabilities and malicious releases in the dependency tree, from the npm registry\'s audit endpoint, the OSV API or an offline OSV database, matched as npm audit matches them (metavulnerabilities included), with whether and how each can be fixed.',
    rules: {
      vulnerable: {
        description: 'The installed version is in the vulnerable range of a published advisory. Severity: the advisory\'s own.',
        severity: 'high',
        message: '{name}@{version} is affected by {id}: {title}; {fix}',
      },
      malicious: {
        description: 'The installed version is a known malicious release (OSV MAL-… reports, GitHub malware advisories).',
        severity: 'critical',
        message: '{name}@{version} is a known malicious release ({id}: {title}); remove it and rotate any secrets the install could reach; {fix}',
      },
      metavulnerability: {
        description:
          'npm\'s metavulnerability: every version of the vulnerable dependency that this package\'s declared range allows is affected, so the package itself must change. Severity: the advisory\'s.',
        severity: 'high',
        message: '{name}@{version} depends on vulnerable {dependencies} through a range with no safe version ({id}: {title}); {fix}',
      },
    },
    optionsSchema,
    defaultOptions,
    needs: ['registry'],
    enrich: { advisories: true },
    // On in the default gate: "is anything known-vulnerable?" is the first question a gate answers. It asks a
    // service about every package and fails closed; `--skip advisories` or `"advisories": "off"` turn it off, and the summary says so.
    enabledByDefault: true,
  },
  run,
});
