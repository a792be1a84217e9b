// JSON Schemas for depguard's config and policy presets. Strict: an unknown
// key is an error with its JSON path, so a typo never silently disables a check.

import { VEX_JUSTIFICATIONS } from './vex-model.js';

const severityOrSwitch = { enum: ['off', 'on', 'info', 'low', 'moderate', 'high', 'critical'] };

export const checkSettingSchema = {
  oneOf: [
    severityOrSwitch,
    {
      type: 'array',
      prefixItems: [severityOrSwitch, { type: 'object' }],
      minItems: 1,
      maxItems: 2,
      items: false,
    },
  ],
};

export const waiverSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'reason', 'expires'],
  properties: {
    id: { type: 'string', minLength: 1, description: 'a rule id (lockfile/foreign-host), a check id, or an advisory id or alias (GHSA-…, CVE-…)' },
    package: { type: 'string', minLength: 1, description: 'name or name@range' },
    path: { type: 'string', minLength: 1, description: 'dependency path pattern, a>b>* (names from the root)' },
    reason: { type: 'string', minLength: 1 },
    expires: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' },
    justification: { enum: [...VEX_JUSTIFICATIONS], description: 'for an advisory waiver: the VEX justification its exported statement carries' },
  },
};

export const vexEntrySchema = {
  oneOf: [
    { type: 'string', minLength: 1 },
    {
      type: 'object',
      additionalProperties: false,
      required: ['file'],
      properties: {
        file: { type: 'string', minLength: 1, description: 'an OpenVEX or CycloneDX document, relative to the project' },
        expires: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD: when statements without an expiry of their own stop applying' },
      },
    },
  ],
};

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    extends: { type: 'string', minLength: 1 },
    date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'the date to audit as of (YYYY-MM-DD), for reproducible reports' },
    checks: { type: 'object', additionalProperties: checkSettingSchema },
    waivers: { type: 'array', items: waiverSchema },
    vex: { type: 'array', items: vexEntrySchema },
  },
};

export const policySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['description'],
  properties: {
    $schema: { type: 'string' },
    description: { type: 'string' },
    extends: { type: 'string', minLength: 1 },
    everyCheck: {
      const: 'on',
      description: 'turns every check on (before this preset\'s own "checks"), so a new check needs no edit here; without it a check is on as its metadata says (enabledByDefault)',
    },
    checks: { type: 'object', additionalProperties: checkSettingSchema },
  },
};
