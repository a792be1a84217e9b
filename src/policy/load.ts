// Config: depguard.config.json, .depguardrc.json or a "depguard" key in
// package.json, extending a policy preset from policies/. The user's config
// is validated strictly; every error names the file and the JSON path.

import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHECKS, findCheck, findRule } from '../checks/index.js';
import { DepguardError } from '../errors.js';
import { isSeverity, type Severity } from '../model.js';
import { isJsonObject, parseJson, type JsonObject } from '../util/json.js';
import { configSchema, policySchema } from './schema.js';
import type { VexJustification } from './vex-model.js';
import type { Waiver } from './waiver-model.js';
import { vexWaivers, type VexSource } from './vex.js';

export const CONFIG_FILES = ['depguard.config.json', '.depguardrc.json'] as const;
export const DEFAULT_POLICY = 'recommended';
export const POLICIES_DIR = fileURLToPath(new URL('../../policies/', import.meta.url));

export type { Waiver } from './waiver-model.js';

export interface CheckSettings {
  enabled: boolean;
  /** A severity for every rule of the check, or null to keep each rule's own. */
  severity: Severity | null;
  options: Record<string, unknown>;
}

export interface Policy {
  /** The preset at the bottom of the chain. */
  preset: string;
  configFile: string | null;
  checks: Map<string, CheckSettings>;
  /** Per-rule overrides: a severity, or 'off'. */
  rules: Map<string, Severity | 'off'>;
  waivers: Waiver[];
  /** The config's `date` (YYYY-MM-DD), when set: audit as of that day. */
  date?: string;
}

type Setting = string | [string, JsonObject?];

interface Source {
  /** Display name for errors. */
  file: string;
  /** JSON path prefix of the config inside the file ('' or '/depguard'). */
  prefix: string;
  data: JsonObject;
}

let ajvInstance: import('ajv').default | undefined;
async function ajv(): Promise<import('ajv').default> {
  if (!ajvInstance) {
    // Loaded only when there is something to validate: most CI runs have no config.
    const module = (await import('ajv/dist/2020.js')) as unknown as { default: new (options: object) => import('ajv').default };
    ajvInstance = new module.default({ allErrors: true, strict: false });
  }
  return ajvInstance;
}

function formatAjvErrors(errors: import('ajv').ErrorObject[], source: Source): string {
  const lines = errors
    .filter((error) => error.keyword !== 'oneOf' && error.keyword !== 'if')
    .map((error) => {
      const path = `${source.prefix}${error.instancePath}` || '/';
      if (error.keyword === 'additionalProperties') {
        const key = (error.params as { additionalProperty: string }).additionalProperty;
        return `${path}: unknown key "${key}"`;
      }
      if (error.keyword === 'enum') {
        const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
        return `${path}: expected one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
      }
      return `${path}: ${error.message ?? 'invalid'}`;
    });
  return [...new Set(lines)].join('; ');
}

async function validate(schema: object, source: Source, code: 'EBAD_CONFIG' | 'EUNKNOWN_POLICY' = 'EBAD_CONFIG'): Promise<void> {
  const validator = (await ajv()).compile(schema);
  if (!validator(source.data)) {
    throw new DepguardError(code, `${source.file}: ${formatAjvErrors(validator.errors ?? [], source)}`, {
      file: source.file,
    });
  }
}

function readSource(path: string, display: string): Source {
  const data = parseJson(readFileSync(path, 'utf8'), display);
  if (!isJsonObject(data)) {
    throw new DepguardError('EBAD_CONFIG', `${display}: expected a JSON object`, { file: display });
  }
  return { file: display, prefix: '', data };
}

/** The user's config source, if any: --config, then the config files, then package.json#depguard. */
export function findConfig(projectPath: string, manifest: JsonObject, configPath?: string): Source | null {
  if (configPath) {
    const absolute = resolve(configPath);
    if (!existsSync(absolute)) {
      throw new DepguardError('EBAD_CONFIG', `config file ${configPath} does not exist`, { file: configPath });
    }
    return readSource(absolute, configPath);
  }
  for (const file of CONFIG_FILES) {
    const path = join(projectPath, file);
    if (existsSync(path)) return readSource(path, file);
  }
  if (Object.hasOwn(manifest, 'depguard')) {
    const data = manifest.depguard;
    if (!isJsonObject(data)) {
      throw new DepguardError('EBAD_CONFIG', 'package.json: /depguard: expected an object', { file: 'package.json', field: 'depguard' });
    }
    return { file: 'package.json', prefix: '/depguard', data };
  }
  return null;
}

export function listPolicies(): string[] {
  return ['recommended', 'strict'].filter((name) => existsSync(join(POLICIES_DIR, `${name}.json`)));
}

function readPolicy(name: string): Source {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !existsSync(join(POLICIES_DIR, `${name}.json`))) {
    throw new DepguardError('EUNKNOWN_POLICY', `unknown policy "${name}": expected one of ${listPolicies().join(', ')}`, {
      field: 'extends',
    });
  }
  return readSource(join(POLICIES_DIR, `${name}.json`), `policies/${name}.json`);
}

async function applyChecks(policy: Policy, source: Source, validateOptions = true): Promise<void> {
  const checks = source.data.checks;
  if (!isJsonObject(checks)) return;
  for (const [key, raw] of Object.entries(checks)) {
    const path = `${source.prefix}/checks/${key}`;
    const setting = raw as Setting;
    const [mode, options] = Array.isArray(setting) ? [setting[0], setting[1]] : [setting, undefined];
    if (key.includes('/')) {
      if (!findRule(key)) {
        throw new DepguardError('EBAD_CONFIG', `${source.file}: ${path}: unknown rule "${key}"`, { file: source.file, field: path, hint: 'rule ids are listed in the README under "Checks"' });
      }
      if (options !== undefined || mode === 'on') {
        throw new DepguardError('EBAD_CONFIG', `${source.file}: ${path}: a rule takes "off" or a severity; options belong to its check "${key.split('/')[0]}"`, { file: source.file, field: path });
      }
      policy.rules.set(key, mode as Severity | 'off');
      continue;
    }
    const check = findCheck(key);
    if (!check) {
      throw new DepguardError('EBAD_CONFIG', `${source.file}: ${path}: unknown check "${key}" (expected one of ${CHECKS.map((c) => c.meta.id).join(', ')})`, { file: source.file, field: path });
    }
    const current = policy.checks.get(key)!;
    if (mode === 'off') current.enabled = false;
    else {
      current.enabled = true;
      if (isSeverity(mode)) current.severity = mode;
    }
    if (options !== undefined) {
      if (validateOptions) await validate(check.meta.optionsSchema, { ...source, prefix: `${path}/1`, data: options });
      current.options = { ...current.options, ...options };
    }
  }
}

export function isRealDate(value: string): boolean {
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

function readWaivers(source: Source): Waiver[] {
  const waivers = source.data.waivers;
  if (!Array.isArray(waivers)) return [];
  return waivers.map((raw, index) => {
    const waiver = raw as JsonObject;
    const origin = `${source.file}: ${source.prefix}/waivers/${index}`;
    const expires = String(waiver.expires);
    if (!isRealDate(expires)) {
      throw new DepguardError('EBAD_CONFIG', `${origin}/expires: "${expires}" is not a real date (expected YYYY-MM-DD)`, { file: source.file, field: `${source.prefix}/waivers/${index}/expires` });
    }
    const result: Waiver = { id: String(waiver.id), reason: String(waiver.reason), expires, origin };
    if (typeof waiver.package === 'string') result.package = waiver.package;
    if (typeof waiver.path === 'string') result.path = waiver.path;
    if (typeof waiver.justification === 'string') result.justification = waiver.justification as VexJustification;
    return result;
  });
}

export interface LoadPolicyOptions {
  projectPath: string;
  manifest: JsonObject;
  configPath?: string;
  /** --policy: the preset to use, instead of the config's `extends`. */
  policyName?: string;
  /** --vex documents (paths as given, resolved from the working directory), read after the config's `vex`. */
  vex?: VexSource[];
}

function readVexEntries(source: Source, projectPath: string): VexSource[] {
  const entries = source.data.vex;
  if (!Array.isArray(entries)) return [];
  return entries.map((entry, index) => {
    const raw = typeof entry === 'string' ? { file: entry } : (entry as { file: string; expires?: string });
    if (raw.expires !== undefined && !isRealDate(raw.expires)) {
      throw new DepguardError('EBAD_CONFIG', `${source.file}: ${source.prefix}/vex/${index}/expires: "${raw.expires}" is not a real date (expected YYYY-MM-DD)`, { file: source.file, field: `${source.prefix}/vex/${index}/expires` });
    }
    // Relative to the project, like every path of the config.
    return { file: resolve(projectPath, raw.file), ...(raw.expires !== undefined ? { expires: raw.expires } : {}) };
  });
}

/**
 * A policy from presets alone, with no user config. The shipped presets are
 * validated by the test suite; `validate: false` skips loading Ajv for them at
 * run time (about 40 ms of a CI run with no config of its own).
 */
export async function presetPolicy(name: string, options: { validate?: boolean } = {}): Promise<Policy> {
  const validatePresets = options.validate ?? true;
  const policy: Policy = {
    preset: name,
    configFile: null,
    checks: new Map(CHECKS.map((check) => [check.meta.id, { enabled: check.meta.enabledByDefault !== false, severity: null, options: { ...check.meta.defaultOptions } }])),
    rules: new Map(),
    waivers: [],
  };
  const chain: Source[] = [];
  const seen = new Set<string>();
  for (let current: string | undefined = name; current; ) {
    if (seen.has(current)) throw new DepguardError('EUNKNOWN_POLICY', `policy "${current}" extends itself`, {});
    seen.add(current);
    const source = readPolicy(current);
    if (validatePresets) await validate(policySchema, source, 'EUNKNOWN_POLICY');
    chain.unshift(source);
    current = typeof source.data.extends === 'string' ? source.data.extends : undefined;
  }
  for (const source of chain) {
    // Presets are derived from the checks' metadata: recommended is each check's enabledByDefault, strict turns every check on.
    if (source.data.everyCheck === 'on') for (const settings of policy.checks.values()) settings.enabled = true;
    await applyChecks(policy, source, validatePresets);
  }
  return policy;
}

export async function loadPolicy(options: LoadPolicyOptions): Promise<Policy> {
  const source = findConfig(options.projectPath, options.manifest, options.configPath);
  if (source) await validate(configSchema, source);
  const presetName = options.policyName ?? (typeof source?.data.extends === 'string' ? source.data.extends : DEFAULT_POLICY);
  const policy = await presetPolicy(presetName, { validate: false });
  if (source) {
    await applyChecks(policy, source);
    policy.waivers = readWaivers(source);
    if (typeof source.data.date === 'string') {
      if (!isRealDate(source.data.date)) {
        throw new DepguardError('EBAD_CONFIG', `${source.file}: ${source.prefix}/date: "${source.data.date}" is not a real date (expected YYYY-MM-DD)`, { file: source.file, field: `${source.prefix}/date` });
      }
      policy.date = source.data.date;
    }
    policy.configFile = source.file.startsWith('/') ? relative(options.projectPath, source.file) : source.file;
  }
  const vex = [...(source ? readVexEntries(source, options.projectPath) : []), ...(options.vex ?? [])];
  if (vex.length > 0) policy.waivers.push(...(await vexWaivers(vex, { name: typeof options.manifest.name === 'string' ? options.manifest.name : null })));
  return policy;
}
