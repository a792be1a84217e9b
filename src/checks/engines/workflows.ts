// The Node.js versions GitHub Actions workflows set up: the node-version (or
// node-version-file) of each actions/setup-node step in .github/workflows,
// with matrix and env values substituted as far as the file itself says.

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { toPosix } from '../../util/posix-path.js';
import { readProjectFile, unreadable, versionFileValue, type SourceContext } from './project-files.js';
import type { AsOf } from './schedule.js';
import { runtimeSource, type Source } from './source.js';

type Scope = { vars: Map<string, Array<{ value: string; line: number }>>; env: Map<string, string> };

function deref(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function child(doc: Document, node: unknown, key: string): unknown {
  const value = deref(doc, node);
  return isMap(value) ? deref(doc, value.get(key, true)) : undefined;
}

/** A scalar's text as written: `22.10` stays `22.10`, not the number 22.1. */
function scalarText(text: string, node: unknown): string | null {
  if (!isScalar(node)) return null;
  if (typeof node.value === 'string') return node.value;
  if (node.range && node.type === 'PLAIN') return text.slice(node.range[0], node.range[1]);
  return node.value === null || node.value === undefined ? null : String(node.value);
}

function envOf(doc: Document, text: string, node: unknown, into: Map<string, string>): void {
  const env = child(doc, node, 'env');
  if (!isMap(env)) return;
  for (const pair of env.items) {
    const key = scalarText(text, deref(doc, pair.key));
    const value = scalarText(text, deref(doc, pair.value));
    if (key !== null && value !== null) into.set(key, value);
  }
}

const EXPRESSION = /\$\{\{\s*([^}]*?)\s*\}\}/g;

/**
 * The values a setup-node input takes: matrix values (`${{ matrix.node }}`,
 * `${{ matrix['node-version'] }}`, from the list and from `include`) and env
 * values substituted; null when an expression cannot be resolved from the file.
 */
function expand(value: string, scope: Scope): Array<{ value: string; expression?: string; line?: number }> | null {
  const expressions = [...value.matchAll(EXPRESSION)];
  if (expressions.length === 0) return [{ value }];
  let results: Array<{ value: string; line?: number }> = [{ value }];
  for (const [whole, inner] of expressions) {
    const matrix = /^matrix(?:\.([A-Za-z_][\w-]*)|\[\s*['"]([^'"]+)['"]\s*\])$/.exec(inner!);
    const env = /^env(?:\.([A-Za-z_][\w-]*)|\[\s*['"]([^'"]+)['"]\s*\])$/.exec(inner!);
    let values: Array<{ value: string; line?: number }>;
    if (matrix) {
      const found = scope.vars.get(matrix[1] ?? matrix[2]!);
      if (!found || found.length === 0) return null;
      values = found;
    } else if (env) {
      const found = scope.env.get(env[1] ?? env[2]!);
      if (found === undefined) return null;
      values = [{ value: found }];
    } else {
      return null;
    }
    results = results.flatMap((partial) => values.map((v) => ({ value: partial.value.replace(whole, () => v.value), ...(v.line !== undefined ? { line: v.line } : partial.line !== undefined ? { line: partial.line } : {}) })));
    if (results.length > 100) return null;
  }
  if (results.some((result) => result.value.includes('${{'))) return null;
  return results.map((result) => ({ ...result, expression: value }));
}

function matrixVars(doc: Document, text: string, lines: LineCounter, job: unknown): Scope['vars'] | null {
  const vars: Scope['vars'] = new Map();
  const matrix = child(doc, child(doc, job, 'strategy'), 'matrix');
  if (matrix === undefined) return vars;
  if (!isMap(matrix)) return null; // `${{ fromJSON(...) }}`: computed at run time
  const add = (key: string, node: unknown): void => {
    const value = scalarText(text, node);
    if (value === null) return;
    const list = vars.get(key) ?? [];
    if (!list.some((entry) => entry.value === value)) list.push({ value, line: lines.linePos((node as YamlNode).range?.[0] ?? 0).line });
    vars.set(key, list);
  };
  for (const pair of matrix.items) {
    const key = scalarText(text, deref(doc, pair.key));
    if (key === null || key === 'exclude') continue;
    const value = deref(doc, pair.value);
    if (key === 'include') {
      if (!isSeq(value)) continue;
      for (const entry of value.items) {
        const map = deref(doc, entry);
        if (!isMap(map)) continue;
        for (const item of map.items) {
          const name = scalarText(text, deref(doc, item.key));
          if (name !== null) add(name, deref(doc, item.value));
        }
      }
    } else if (isSeq(value)) {
      for (const item of value.items) add(key, deref(doc, item));
    } else {
      add(key, value);
    }
  }
  return vars;
}

export async function fromWorkflows(ctx: SourceContext, asOf: AsOf, manifestSources: Source[]): Promise<Source[]> {
  const folder = '.github/workflows';
  let names: string[];
  try {
    names = (await readdir(join(ctx.graph.projectPath, folder))).filter((name) => /\.ya?ml$/i.test(name)).sort();
  } catch {
    return [];
  }
  const sources: Source[] = [];
  for (const name of names) {
    const file = `${folder}/${name}`;
    const text = await readProjectFile(ctx, file);
    if (text === null) continue;
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
    if (doc.errors.length > 0) {
      ctx.diagnostic({ level: 'warning', code: 'UNREADABLE_WORKFLOW', message: `${file} is not valid YAML (${doc.errors[0]!.message.split('\n')[0]}); its setup-node steps were not judged`, file });
      continue;
    }
    const workflowEnv = new Map<string, string>();
    envOf(doc, text, doc.contents, workflowEnv);
    const jobs = child(doc, doc.contents, 'jobs');
    if (!isMap(jobs)) continue;
    for (const jobPair of jobs.items) {
      const jobName = scalarText(text, deref(doc, jobPair.key)) ?? '';
      const job = deref(doc, jobPair.value);
      const steps = child(doc, job, 'steps');
      if (!isSeq(steps)) continue;
      const vars = matrixVars(doc, text, lines, job);
      const jobEnv = new Map(workflowEnv);
      envOf(doc, text, job, jobEnv);
      for (const stepNode of steps.items) {
        const step = deref(doc, stepNode);
        const uses = scalarText(text, child(doc, step, 'uses'));
        if (uses === null || !/^actions\/setup-node(@|$)/i.test(uses.trim())) continue;
        const env = new Map(jobEnv);
        envOf(doc, text, step, env);
        const withNode = child(doc, step, 'with');
        const versionNode = child(doc, withNode, 'node-version');
        const fileNode = child(doc, withNode, 'node-version-file');
        const stepLine = lines.linePos((step as YamlNode).range?.[0] ?? 0).line;
        const raw = scalarText(text, versionNode);
        const rawFile = scalarText(text, fileNode);
        if (raw !== null && raw.trim() !== '') {
          const line = lines.linePos((versionNode as YamlNode).range?.[0] ?? 0).line;
          const values = expand(raw, { vars: vars ?? new Map(), env });
          if (!values) {
            unreadable(ctx, file, `jobs.${jobName} node-version (line ${line})`, raw, 'an expression depguard cannot resolve from the file');
            continue;
          }
          for (const { value, expression, line: valueLine } of values) {
            const where = { job: jobName, line: valueLine ?? line, ...(expression !== undefined ? { expression } : {}) };
            const source = runtimeSource(asOf, 'github-actions', file, value, where);
            if (source) sources.push(source);
            else unreadable(ctx, file, `jobs.${jobName} node-version (line ${valueLine ?? line})`, value);
          }
        } else if (rawFile !== null && rawFile.trim() !== '') {
          const source = await fromVersionFileInput(ctx, asOf, file, rawFile.trim(), { job: jobName, line: stepLine }, manifestSources);
          if (source) sources.push(source);
        }
      }
    }
  }
  return sources;
}

/**
 * setup-node's node-version-file: .nvmrc, .node-version, .tool-versions, or
 * package.json (volta.node, then devEngines.runtime, then engines.node, as
 * setup-node reads it). The step runs what that file names.
 */
async function fromVersionFileInput(ctx: SourceContext, asOf: AsOf, workflow: string, path: string, where: Record<string, string | number>, manifestSources: Source[]): Promise<Source | null> {
  const target = toPosix(path).replace(/^\.\//, '');
  if (target.split('/').includes('..') || target.startsWith('/')) {
    unreadable(ctx, workflow, `jobs.${where.job} node-version-file`, path, 'outside the project');
    return null;
  }
  let value: string | null;
  if (target === 'package.json') {
    const pick = ['volta.node', 'devEngines.runtime', 'engines.node'].map((name) => manifestSources.find((s) => s.source === name)).find(Boolean);
    value = pick?.value ?? null;
  } else {
    const text = await readProjectFile(ctx, target);
    if (text === null) {
      unreadable(ctx, workflow, `jobs.${where.job} node-version-file`, path, 'a file that does not exist in the project');
      return null;
    }
    value = versionFileValue(text, target);
  }
  if (value === null) {
    unreadable(ctx, workflow, `jobs.${where.job} node-version-file`, path, 'a file that names no Node.js version');
    return null;
  }
  const source = runtimeSource(asOf, 'github-actions', workflow, value, { ...where, versionFile: target });
  if (!source) unreadable(ctx, workflow, `jobs.${where.job} node-version-file (${target})`, value);
  return source;
}
