// The check registry equals the check folders (src/checks/<id>/index.ts), and
// every check has its test and its doc, each naming every rule: adding a check
// or a rule cannot skip a step.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../src/checks/index.js';
import { isSeverity } from '../src/model.js';
import { REPO } from './helpers/project.js';

// The validator the config loader uses (src/policy/load.ts): draft 2020-12, all errors, not strict.
const { default: Ajv2020 } = (await import('ajv/dist/2020.js')) as unknown as { default: new (options: object) => { compile(schema: object): ValidateFunction } };
const ajv = new Ajv2020({ allErrors: true, strict: false });

const checkFolders = readdirSync(join(REPO, 'src/checks'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe('check registry', () => {
  it('lists exactly the check folders in src/checks/, each with its index.ts', () => {
    expect(CHECKS.map((check) => check.meta.id).sort()).toEqual(checkFolders);
    for (const id of checkFolders) expect(existsSync(join(REPO, 'src/checks', id, 'index.ts')), `src/checks/${id}/index.ts`).toBe(true);
  });

  for (const check of CHECKS) {
    const id = check.meta.id;
    describe(id, () => {
      it('has complete metadata', () => {
        expect(check.meta.description.length).toBeGreaterThan(10);
        expect(Object.keys(check.meta.rules).length).toBeGreaterThan(0);
        for (const [rule, meta] of Object.entries(check.meta.rules)) {
          expect(rule).toMatch(/^[a-z][a-z0-9-]*$/);
          expect(isSeverity(meta.severity)).toBe(true);
          expect(meta.message.length).toBeGreaterThan(10);
          expect(meta.description.length).toBeGreaterThan(10);
        }
        expect(check.meta.optionsSchema).toMatchObject({ type: 'object', additionalProperties: false });
      });

      it('has defaultOptions that its own optionsSchema accepts, and a schema that rejects an unknown option', () => {
        const validate = ajv.compile(check.meta.optionsSchema);
        expect(validate(check.meta.defaultOptions), JSON.stringify(validate.errors)).toBe(true);
        expect(validate({ ...check.meta.defaultOptions, notAnOption: true })).toBe(false);
      });

      it('has a test file and a doc that name every rule', () => {
        const test = join(REPO, 'test/checks', `${id}.test.ts`);
        const doc = join(REPO, 'docs/checks', `${id}.md`);
        expect(existsSync(test), `${test}`).toBe(true);
        expect(existsSync(doc), `${doc}`).toBe(true);
        const testText = readFileSync(test, 'utf8');
        const docText = readFileSync(doc, 'utf8');
        for (const rule of Object.keys(check.meta.rules)) {
          expect(docText, `docs/checks/${id}.md names ${id}/${rule}`).toContain(`${id}/${rule}`);
          expect(testText, `test/checks/${id}.test.ts exercises ${rule}`).toMatch(new RegExp(`['"\`/]${rule}['"\`]`));
        }
        for (const option of Object.keys(check.meta.defaultOptions)) {
          expect(docText, `docs/checks/${id}.md documents option ${option}`).toContain(`\`${option}\``);
        }
      });

      it('is listed in the README', () => {
        expect(readFileSync(join(REPO, 'README.md'), 'utf8')).toContain(`docs/checks/${id}.md`);
      });
    });
  }
});
