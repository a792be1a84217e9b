// depguard diff [path] --base <ref | dir>: what a change does to the
// dependency tree; the exit code gates on what it introduces only.

import { relative, resolve, sep } from 'node:path';
import type { Argv } from 'yargs';
import { diff, DIFF_SCOPES, type DiffScope } from '../../commands/diff/run.js';
import type { DiffResult } from '../../render/diff-model.js';
import { githubTarget, type GithubTarget } from '../github/context.js';
import { upsertStickyComment } from '../github/comment.js';
import { severityRank, type Finding, type Severity } from '../../model.js';
import { DIFF_FORMATS, DIFF_REPORTERS, type DiffFormat } from '../../render/diff-formats.js';
import { diffMarkdown } from '../../render/diff-markdown.js';
import { diffSummaryLine, failingNew, type DiffReportOptions } from '../../render/diff-summary.js';
import { auditFlags, auditOptions, outputFlags, useColor, type AuditArgs, type OutputArgs } from '../options.js';
import { deliver } from '../output.js';
import { redactText } from '../../util/redact.js';
import { registryOutput } from '../registry-output.js';
import type { Command } from './types.js';

type DiffArgs = AuditArgs &
  OutputArgs & {
    base: string;
    scope: DiffScope;
    format: DiffFormat;
    'github-comment': boolean;
    repo?: string;
    pr?: number;
    'comment-author'?: string;
  };

/** The hidden marker of this project's sticky comment: one comment per project folder of a repository. */
export function commentMarker(path: string, cwd: string = process.cwd()): string {
  const folder = relative(cwd, resolve(cwd, path)).split(sep).join('/') || '.';
  return `depguard-diff ${folder}`;
}

function shownOnly(result: DiffResult, minimum: Severity): DiffResult {
  const rank = severityRank(minimum);
  const keep = (findings: Finding[]) => findings.filter((finding) => severityRank(finding.severity) >= rank);
  return { ...result, findings: keep(result.findings), diff: { ...result.diff, newFindings: keep(result.diff.newFindings), resolvedFindings: keep(result.diff.resolvedFindings) } };
}

async function handler(args: DiffArgs): Promise<number> {
  const options = auditOptions(args);
  // Settle where the comment goes before the audit: a missing token should not cost a whole run.
  const target: GithubTarget | null = args['github-comment'] ? githubTarget(process.env, { ...(args.repo !== undefined ? { repo: args.repo } : {}), ...(args.pr !== undefined ? { pr: args.pr } : {}) }) : null;
  const output = registryOutput({ verbose: args.verbose, progress: args.progress });
  if (output.onRequest) options.registryAccess!.onRequest = output.onRequest;
  if (output.onProgress) options.registryAccess!.onProgress = output.onProgress;
  let outcome: Awaited<ReturnType<typeof diff>>;
  try {
    outcome = await diff({ ...options, base: args.base, scope: args.scope });
  } finally {
    output.finish();
  }
  const { result } = outcome;
  const failOn = args['fail-on'];
  // --min-severity narrows what is shown; the gate above has already counted everything.
  const shown = shownOnly(result, args['min-severity']);
  const marker = commentMarker(args.path);
  const reportOptions: DiffReportOptions = { color: useColor(args), failOn, marker };
  if (process.stdout.isTTY && process.stdout.columns) reportOptions.width = process.stdout.columns;
  if (target) {
    const body = redactText(diffMarkdown(shown, { color: false, failOn, marker }));
    const posted = await upsertStickyComment({ target, body, marker: `<!-- ${marker} -->`, ...(args['comment-author'] !== undefined ? { author: args['comment-author'] } : {}) });
    process.stderr.write(`depguard: ${posted.action} the comment on ${target.owner}/${target.repo}#${target.number}${posted.url ? `: ${posted.url}` : ''}\n`);
  }
  return deliver({ render: () => DIFF_REPORTERS[args.format](shown, reportOptions), summary: diffSummaryLine(result.diff, failOn), failing: failingNew(result.diff, failOn) }, args.output);
}

export const diffCommand: Command<DiffArgs> = {
  command: 'diff [path]',
  describe: 'what a change adds or removes: packages, findings and package.json changes against a git ref or another folder',
  builder: (yargs: Argv) =>
    outputFlags(auditFlags(yargs))
      .option('base', { alias: 'b', type: 'string', demandOption: 'name the base: a git ref (origin/main, a tag, a commit) or another checkout folder', describe: 'git ref or folder to compare with (read with git, never checked out)' })
      .option('scope', {
        choices: DIFF_SCOPES,
        default: 'changed' as DiffScope,
        describe: 'packages the registry-backed checks judge: changed (those the change adds, removes or changes: requests grow with the change) or all (every package on both sides, as check does)',
      })
      .option('format', { alias: 'f', choices: DIFF_FORMATS, default: 'table' as DiffFormat, describe: 'output format (markdown: a pull-request comment)' })
      .option('github-comment', { type: 'boolean', default: false, describe: 'post or update one sticky pull-request comment (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH)' })
      .option('repo', { type: 'string', describe: 'owner/name of the repository for --github-comment (default: GITHUB_REPOSITORY)' })
      .option('pr', { type: 'number', describe: 'pull request number for --github-comment (default: from GITHUB_EVENT_PATH)' })
      .option('comment-author', { type: 'string', describe: 'login whose marked comment --github-comment edits (default: any bot account, e.g. github-actions[bot])' }),
  handler,
  examples: [
    ['$0 diff --base origin/main', 'what this branch changes against main; exit 1 if it adds findings at or above high'],
    ['$0 diff --base ../main-checkout --format markdown -o comment.md', 'against another checkout, as a pull-request comment'],
    ['$0 diff --base "$BASE_SHA" --github-comment', 'in GitHub Actions: post or update the sticky comment'],
  ],
};
