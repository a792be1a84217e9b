// depguard sbom [path]: the project's software bill of materials (CycloneDX
// or SPDX) or its advisory waivers as an OpenVEX document. No registry, no
// checks: the lockfile and the config are all it reads.

import type { Argv } from 'yargs';
import { sbom, SBOM_FORMATS, type SbomFormat } from '../../commands/sbom.js';
import { DepguardError } from '../../errors.js';
import { isRealDate } from '../../policy/load.js';
import { deliver } from '../output.js';
import type { Command } from './types.js';

interface SbomArgs {
  path: string;
  config?: string;
  format: SbomFormat;
  output?: string;
  date?: string;
  'spec-version': '1.6' | '1.7';
  author?: string;
  debug: boolean;
}

async function handler(args: SbomArgs): Promise<number> {
  if (args.date !== undefined && !isRealDate(args.date)) throw new DepguardError('EBAD_ARGS', `--date: "${args.date}" is not a real date (expected YYYY-MM-DD)`, { field: '--date' });
  const { document, graph } = await sbom({
    path: args.path,
    format: args.format,
    specVersion: args['spec-version'],
    ...(args.config !== undefined ? { configPath: args.config } : {}),
    ...(args.date !== undefined ? { date: args.date } : {}),
    ...(args.author !== undefined ? { author: args.author } : {}),
  });
  // No findings to gate on: a document written is exit 0.
  return deliver({ render: () => document, summary: `depguard: ${args.format} document of ${graph.root.packageName || graph.projectPath}`, failing: [] }, args.output);
}

export const sbomCommand: Command<SbomArgs> = {
  command: 'sbom [path]',
  describe: 'software bill of materials: CycloneDX (default) or SPDX from the lockfile, or the advisory waivers as OpenVEX',
  builder: (yargs: Argv) =>
    yargs
      .positional('path', { type: 'string', default: '.', describe: 'project folder (holds package.json)' })
      .option('format', { alias: 'f', choices: SBOM_FORMATS, default: 'cyclonedx' as SbomFormat, describe: 'cyclonedx (JSON, with the waivers as vulnerabilities[].analysis), spdx (2.3 JSON) or openvex (0.2.0)' })
      .option('output', { alias: 'o', type: 'string', describe: 'write the document to a file (atomically) instead of stdout' })
      .option('config', { alias: 'c', type: 'string', describe: 'config file whose advisory waivers become VEX statements (default: depguard.config.json, .depguardrc.json or package.json#depguard)' })
      .option('date', { type: 'string', describe: "date the document (YYYY-MM-DD); default the config's date, else undated (SPDX and OpenVEX, which need a time, take today)" })
      .option('spec-version', { choices: ['1.6', '1.7'] as const, default: '1.7' as const, describe: 'CycloneDX specification version' })
      .option('author', { type: 'string', describe: 'OpenVEX: who vouches for the statements (default: depguard)' })
      .option('debug', { type: 'boolean', default: false, describe: 'print stack traces of internal errors' }),
  handler,
  examples: [
    ['$0 sbom -o sbom.cdx.json', 'CycloneDX 1.7 JSON of this project'],
    ['$0 sbom --format spdx --date 2026-12-31 -o sbom.spdx.json', 'SPDX 2.3, dated for the quarter'],
    ['$0 sbom --format openvex --author security@example.org -o vex.json', "the config's advisory waivers as OpenVEX statements"],
  ],
};
