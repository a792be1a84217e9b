// The CLI run in-process against a loopback registry: npm's config through
// the environment (that registry, no user npmrc, fast failures) and stdout /
// stderr captured. A test file's vi.mock applies to the CLI run here too.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

/** Points npm's config at a loopback registry; returns what restores the environment. */
export function useLoopbackRegistry(url: string): () => void {
  const saved = { ...process.env };
  process.env.npm_config_registry = url;
  process.env.npm_config_userconfig = join(mkdtempSync(join(tmpdir(), 'depguard-home-')), 'npmrc');
  process.env.npm_config_fetch_retries = '0';
  process.env.npm_config_fetch_timeout = '3000';
  return () => {
    process.env = saved;
  };
}

/** Runs `depguard <args>` in this process, capturing what it writes. */
export async function runInProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}
