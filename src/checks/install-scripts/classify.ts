// What an install script's text says it does (fetches, executes, builds
// native code): flags for the inventory and the evidence of findings.

import type { LifecycleEvent } from './detect.js';

/** The behaviour table: what a script's text says it does. Kept small on purpose; see docs/checks/install-scripts.md. */
export const BEHAVIOURS: ReadonlyArray<{ kind: 'fetches' | 'executes' | 'buildsNative'; label: string; pattern: RegExp }> = [
  { kind: 'fetches', label: 'curl', pattern: /\bcurl\b/i },
  { kind: 'fetches', label: 'wget', pattern: /\bwget\b/i },
  { kind: 'fetches', label: 'url', pattern: /\bhttps?:\/\//i },
  { kind: 'fetches', label: 'node-pre-gyp', pattern: /\bnode-pre-gyp\b/ },
  { kind: 'fetches', label: 'prebuild-install', pattern: /\bprebuild-install\b/ },
  { kind: 'fetches', label: 'npx', pattern: /\bnpx\b|\bnpm\s+(?:exec|install|i)\b/ },
  { kind: 'executes', label: 'node -e', pattern: /\bnode\s+(?:-e|--eval|-p|--print)\b/ },
  { kind: 'executes', label: 'sh -c', pattern: /\b(?:sh|bash|zsh|dash)\s+-c\b/ },
  { kind: 'executes', label: 'eval', pattern: /\beval\b/ },
  { kind: 'executes', label: 'powershell', pattern: /\b(?:powershell|pwsh)\b/i },
  { kind: 'executes', label: 'base64', pattern: /\bbase64\b|\batob\s*\(/ },
  { kind: 'buildsNative', label: 'node-gyp', pattern: /\bnode-gyp\b(?!-build)/ },
  { kind: 'buildsNative', label: 'node-gyp-build', pattern: /\bnode-gyp-build\b/ },
  { kind: 'buildsNative', label: 'cmake-js', pattern: /\bcmake-js\b/ },
];

export interface ScriptFlags {
  fetches: string[];
  executes: string[];
  buildsNative: string[];
}

export function classifyScripts(scripts: Partial<Record<LifecycleEvent, string>> | null): ScriptFlags {
  const flags: ScriptFlags = { fetches: [], executes: [], buildsNative: [] };
  if (!scripts) return flags;
  const text = Object.values(scripts).join('\n');
  for (const { kind, label, pattern } of BEHAVIOURS) {
    if (pattern.test(text) && !flags[kind].includes(label)) flags[kind].push(label);
  }
  return flags;
}
