// depguard db update: download the npm advisories of osv.dev into a folder
// (default: under npm's cache) for offline runs with --advisory-source db,
// and the Node.js core vulnerability index that engines/vulnerable-runtime
// judges the project's Node.js versions by. `db update advisories` or
// `db update nodejs` updates one of the two.

import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { DEFAULT_EXPORT_URL, updateDatabase } from '../../enrich/advisories/db-update.js';
import { defaultDatabaseDir } from '../../enrich/advisories/source.js';
import { AdvisorySourceError } from '../../enrich/advisories/types.js';
import { CoreIndexError, DEFAULT_NODEJS_CORE_URL, defaultNodejsCoreDir, updateCoreIndex } from '../../enrich/advisories/nodejs-core.js';
import { DepguardError } from '../../errors.js';
import { loadNpmConfig } from '../../enrich/npm-config.js';
import { EXIT } from '../options.js';
import type { Command } from './types.js';

const PARTS = ['all', 'advisories', 'nodejs'] as const;

interface DbArgs {
  action: 'update';
  what: (typeof PARTS)[number];
  dir?: string;
  url: string;
  nodejsUrl: string;
  cache?: string;
  debug: boolean;
}

function httpUrl(value: string, flag: string): void {
  if (!/^https?:\/\/[^/]/.test(value)) throw new DepguardError('EBAD_ARGS', `${flag}: "${value}" is not an http(s) URL`, { field: flag });
}

async function handler(args: DbArgs): Promise<number> {
  httpUrl(args.url, '--url');
  httpUrl(args.nodejsUrl, '--nodejs-url');
  const cwd = process.cwd();
  const npm = await loadNpmConfig(cwd, args.cache !== undefined ? { cache: args.cache } : {});
  if (args.what !== 'nodejs') await updateAdvisories(args, npm);
  if (args.what !== 'advisories') await updateNodejs(args, npm);
  return EXIT.clean;
}

async function updateAdvisories(args: DbArgs, npm: Awaited<ReturnType<typeof loadNpmConfig>>): Promise<void> {
  const dir = args.dir !== undefined ? resolve(args.dir) : defaultDatabaseDir(npm.cache);
  try {
    const result = await updateDatabase({ dir, url: args.url, fetchOptions: npm.fetchOptions, offline: npm.offline });
    for (const { where, reason } of result.skipped.slice(0, 10)) process.stderr.write(`depguard: skipped ${where}: ${reason}\n`);
    if (result.skipped.length > 10) process.stderr.write(`depguard: skipped ${result.skipped.length - 10} more records\n`);
    process.stdout.write(`${result.records} OSV records (${result.advisories} npm advisories for ${result.packages} packages) from ${args.url} in ${dir}\nuse them with: depguard check --advisory-source ${args.dir !== undefined ? dir : 'db'}\n`);
  } catch (error) {
    if (!(error instanceof AdvisorySourceError)) throw error;
    throw new DepguardError('EADVISORIES', `could not update the advisory database in ${dir}: ${error.message}`, {
      hint: 'check the network (or the proxy settings in .npmrc); the previous database, if any, is unchanged',
      cause: error,
    });
  }
}

/** The Node.js core index always lives under npm's cache, where the engines check reads it. */
async function updateNodejs(args: DbArgs, npm: Awaited<ReturnType<typeof loadNpmConfig>>): Promise<void> {
  const dir = defaultNodejsCoreDir(npm.cache);
  try {
    const result = await updateCoreIndex({ dir, url: args.nodejsUrl, fetchOptions: npm.fetchOptions, offline: npm.offline });
    process.stdout.write(`${result.vulnerabilities} Node.js core vulnerabilities from ${args.nodejsUrl} in ${dir}\nthe engines check (engines/vulnerable-runtime) judges the project's Node.js versions by them\n`);
  } catch (error) {
    if (!(error instanceof CoreIndexError)) throw error;
    throw new DepguardError('EADVISORIES', `could not update the Node.js core vulnerability index in ${dir}: ${error.message}`, {
      hint: 'check the network (or the proxy settings in .npmrc); the previous index, if any, is unchanged',
      cause: error,
    });
  }
}

export const db: Command<DbArgs> = {
  command: 'db <action> [what]',
  describe: 'manage the offline data: `db update` downloads the npm advisories of osv.dev and the Node.js core vulnerability index',
  builder: (yargs: Argv) =>
    yargs
      .positional('action', { choices: ['update'] as const, describe: 'update: download the OSV export of npm advisories and index it, and the Node.js core vulnerability index' })
      .positional('what', { choices: PARTS, default: 'all' as const, describe: 'all, or only the advisories, or only the Node.js core index' })
      .option('dir', { type: 'string', describe: "folder to keep it in (default: _depguard/osv-db under npm's cache)" })
      .option('url', { type: 'string', default: DEFAULT_EXPORT_URL, describe: 'the OSV export to download (a zip of OSV records)' })
      .option('nodejs-url', { type: 'string', default: DEFAULT_NODEJS_CORE_URL, describe: "the Node.js core vulnerability index to download (the security working group's vuln/core/index.json)" })
      .option('cache', { type: 'string', describe: "npm's cache folder (default: npm's `cache` setting, ~/.npm)" })
      .option('debug', { type: 'boolean', default: false, describe: 'print stack traces of internal errors' }),
  handler,
  examples: [
    ['$0 db update', 'download the npm advisories and the Node.js core vulnerabilities for offline audits'],
    ['$0 db update nodejs', 'only the Node.js core vulnerability index (engines/vulnerable-runtime)'],
    ['$0 check --offline --advisory-source db', 'audit with them, without any network'],
  ],
};
