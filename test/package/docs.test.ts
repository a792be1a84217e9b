// The docs as a new user runs them: every example workflow (the yaml blocks
// of docs/github-action.md and README.md) and action.yml parse without error
// in GitHub's own workflow parser (@actions/workflow-parser, the one behind
// the Actions extension for VS Code, with GitHub's workflow and action
// schemas); every third-party action they use is pinned by a full commit SHA;
// and no doc runs an unpinned `npx depguard`, which would install whoever
// publishes that name first.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parseAction } from '@actions/workflow-parser/actions/index';
import { REPO } from '../helpers/project.js';

const trace = new NoOperationTraceWriter();
const read = (path: string) => readFileSync(join(REPO, path), 'utf8');
const DOCS = ['README.md', ...readdirSync(join(REPO, 'docs'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.md')).map((file) => `docs/${file}`)];

function yamlBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

const workflows = DOCS.flatMap((doc) => yamlBlocks(read(doc)).map((content, index) => ({ name: `${doc} #${index + 1}`, content })));

/** `owner/repo[/path]@ref` of every `uses:` (local `./` actions and docker images aside). */
function uses(text: string): string[] {
  return [...text.matchAll(/^\s*(?:-\s+)?uses:\s*([^\s#]+)/gm)].map((match) => match[1]!).filter((ref) => !ref.startsWith('./') && !ref.startsWith('docker://'));
}

describe('the example workflows in the docs', () => {
  it('are there', () => {
    expect(workflows.map((workflow) => workflow.name)).toContain('docs/github-action.md #1');
  });

  for (const workflow of workflows) {
    it(`${workflow.name} parses as a GitHub Actions workflow`, async () => {
      const parsed = parseWorkflow({ name: 'workflow.yml', content: workflow.content }, trace);
      expect(parsed.context.errors.getErrors().map((error) => error.message)).toEqual([]);
      const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
      expect(template.errors ?? []).toEqual([]);
      expect(template.jobs.length).toBeGreaterThan(0);
    });
  }

  it('a broken workflow is caught (the parser is not a no-op)', () => {
    const parsed = parseWorkflow({ name: 'bad.yml', content: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n' }, trace);
    expect(parsed.context.errors.getErrors().length).toBeGreaterThan(0);
  });
});

describe('action.yml', () => {
  it('parses as a GitHub Action', () => {
    const parsed = parseAction({ name: 'action.yml', content: read('action.yml') }, trace);
    expect(parsed.context.errors.getErrors().map((error) => error.message)).toEqual([]);
    const broken = parseAction({ name: 'action.yml', content: 'name: x\ndescription: y\nruns:\n  using: composite\n  steps:\n    - run: echo\n' }, trace);
    expect(broken.context.errors.getErrors().length).toBeGreaterThan(0);
  });

  it('takes extra arguments one per line, never split on spaces, and expands no input inside a script', () => {
    const action = read('action.yml');
    expect(action).not.toMatch(/args\+=\(\$EXTRA_ARGS\)/);
    for (const script of action.split(/\n\s+run: \|\n/).slice(1)) expect(script.split(/\n\s{4}- /)[0]).not.toMatch(/\$\{\{\s*inputs\./);
  });
});

describe('pinning in the docs and the action', () => {
  it('pins every third-party action by a full commit SHA', () => {
    const refs = [...uses(read('action.yml')), ...workflows.flatMap((workflow) => uses(workflow.content))];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(ref, ref).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
  });

  it('runs no unpinned `npx depguard` anywhere in the docs', () => {
    for (const doc of DOCS) {
      // Allowed: `npx --no depguard` (the installed one, never fetched), `-p <tarball|name@exact>`.
      const unpinned = read(doc)
        .split('\n')
        .filter((line) => /npx\s+(?:(?:-y|--yes)\s+)?depguard(?![\w@-])/.test(line));
      expect(unpinned, doc).toEqual([]);
    }
  });
});
