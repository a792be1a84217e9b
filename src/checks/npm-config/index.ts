// npm-config: the package-manager settings the project commits, which decide
// what every install (a teammate's, CI's) may do: the project's .npmrc, and
// pnpm-workspace.yaml / .yarnrc.yml / bunfig.toml when present. Read as data; a secret's
// value is never put in a finding, only its key and file:line.

import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { redactUrl } from '../../enrich/npm-config.js';
import { readProjectConfig, type ConfigEntry, type ConfigFile } from './read.js';
import { allowsAllScripts, cooldownSetting, disablesStrictSsl, insecureRegistry, isCommittedCredential, namedRegistryHost } from './settings.js';
import { defineCheck, type WithDefaults } from '../types.js';
import type { DepGraph } from '../../model.js';

type Options = WithDefaults<FromSchema<typeof optionsSchema>, typeof defaultOptions>;

function keyOf(entry: ConfigEntry): string {
  return entry.path.join('.');
}

function where(entry: ConfigEntry): Record<string, unknown> {
  return { file: entry.file, line: entry.line, key: keyOf(entry) };
}

/** Where the project's own package manager takes a cooldown. */
function cooldownRemedy(graph: DepGraph): string {
  switch (graph.lockfile?.manager ?? graph.declaredManager?.manager ?? 'npm') {
    case 'pnpm':
      return 'set minimumReleaseAge in pnpm-workspace.yaml';
    case 'yarn':
      return 'set npmMinimalAgeGate in .yarnrc.yml';
    case 'bun':
      return 'set install.minimumReleaseAge in bunfig.toml';
    default:
      return 'set min-release-age in .npmrc';
  }
}

/**
 * yarn 4 gates releases younger than a day (`npmMinimalAgeGate` 1d) by
 * default for projects whose lockfile is `__metadata.version` 10 or later;
 * older lockfiles keep the gate off (its migration defaults).
 */
function yarnDefaultCooldown(graph: DepGraph): boolean {
  return graph.lockfile?.manager === 'yarn' && graph.lockfile.settings?.format === 'berry' && graph.lockfile.lockfileVersion >= 10;
}

const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { reportWithoutConfigFile: { type: 'boolean' } },
} as const satisfies JSONSchema;

const defaultOptions = { reportWithoutConfigFile: false } satisfies FromSchema<typeof optionsSchema>;

export default defineCheck<Options>({
  meta: {
    id: 'npm-config',
    description: "The package-manager settings the project commits (.npmrc, pnpm-workspace.yaml, .yarnrc.yml, bunfig.toml): credentials, insecure registries, the release cooldown, install scripts allowed wholesale.",
    rules: {
      'committed-credential': {
        description: 'A project config file holds an auth token, password or private key in plain text (not a ${ENV} reference): anyone with the repository can publish or read as that account.',
        severity: 'critical',
        message: '{file}:{line} commits a credential ({key}): revoke it, and read it from the environment (${NPM_TOKEN}) instead',
      },
      'untrusted-registry': {
        description:
          "The project's own config names a registry host (a registry, a scoped registry, or where an auth setting is sent) that the trusted configuration does not: the user's or CI's npm config, --registry, or lockfile.allowedHosts. A pull request can add such a file; depguard never fetches from that host, never sends it a credential, and does not let it widen the lockfile's allowed hosts.",
        severity: 'high',
        message: '{file}:{line} points {key} at {host}, which is not a trusted registry (npm config outside the project, --registry, or lockfile.allowedHosts): depguard neither trusts it nor sends it credentials',
      },
      'insecure-registry': {
        description: 'A registry configured over plain http: packages and credentials travel unencrypted and can be swapped in transit.',
        severity: 'high',
        message: '{file}:{line} sets a registry over plain http ({url}): use https',
      },
      'strict-ssl-off': {
        description: "TLS certificate checks turned off (npm strict-ssl=false, pnpm strictSsl, Yarn enableStrictSsl): any man in the middle can serve packages.",
        severity: 'high',
        message: '{file}:{line} turns TLS certificate checks off ({key}): any man in the middle can serve packages',
      },
      'no-cooldown': {
        description: "No release cooldown is committed (npm min-release-age, pnpm minimumReleaseAge, Yarn npmMinimalAgeGate, bun install.minimumReleaseAge), or it is set to 0: installs take versions minutes after they are published.",
        severity: 'low',
        message: 'no release cooldown is configured in {files}: installs take versions minutes after they are published ({remedy})',
      },
      'all-scripts-allowed': {
        description: 'Install scripts allowed for every dependency (npm dangerously-allow-all-scripts, pnpm dangerouslyAllowAllBuilds): the allowlist is bypassed.',
        severity: 'moderate',
        message: '{file}:{line} lets every dependency run install scripts ({key}): approve the few that need them by name instead',
      },
    },
    optionsSchema,
    defaultOptions,
    needs: [],
  },
  async run(ctx) {
    const files: ConfigFile[] = await readProjectConfig(ctx.graph.projectPath);
    for (const file of files) {
      if (file.error) ctx.diagnostic({ level: 'warning', code: 'UNREADABLE_PACKAGE_MANAGER_CONFIG', message: `${file.error}: its settings were not checked`, file: file.file });
    }
    const entries = files.flatMap((file) => file.entries);
    const cooldowns: ConfigEntry[] = [];
    for (const entry of entries) {
      const data = { file: entry.file, line: entry.line, key: keyOf(entry) };
      if (isCommittedCredential(entry)) ctx.report({ rule: 'committed-credential', node: null, data, evidence: where(entry) });
      const host = namedRegistryHost(entry);
      if (host !== null && !ctx.trustedHosts.has(host)) ctx.report({ rule: 'untrusted-registry', node: null, data: { ...data, host }, evidence: { ...where(entry), host } });
      const http = insecureRegistry(entry);
      if (http) {
        const url = redactUrl(http);
        ctx.report({ rule: 'insecure-registry', node: null, data: { ...data, url }, evidence: { ...where(entry), url } });
      }
      if (disablesStrictSsl(entry)) ctx.report({ rule: 'strict-ssl-off', node: null, data, evidence: { ...where(entry), value: false } });
      if (allowsAllScripts(entry)) ctx.report({ rule: 'all-scripts-allowed', node: null, data, evidence: { ...where(entry), value: true } });
      if (cooldownSetting(entry) !== null) cooldowns.push(entry);
    }
    const configured = cooldowns.some((entry) => cooldownSetting(entry) === 'set') || (yarnDefaultCooldown(ctx.graph) && !cooldowns.some((entry) => cooldownSetting(entry) === 'disabled'));
    const read = files.filter((file) => !file.error);
    if (!configured && (read.length > 0 || ctx.options.reportWithoutConfigFile)) {
      const names = read.map((file) => file.file);
      ctx.report({
        rule: 'no-cooldown',
        node: null,
        data: { files: names.length > 0 ? names.join(', ') : 'the project (no .npmrc, pnpm-workspace.yaml, .yarnrc.yml or bunfig.toml)', remedy: cooldownRemedy(ctx.graph) },
        evidence: { files: names, disabled: cooldowns.map(where) },
      });
    }
  },
});
