// CVSS v3.x base scores, for advisories that carry only a vector (OSV records
// from databases other than GitHub's, which give no qualitative severity).
// The formula and the rounding are those of the CVSS v3.1 specification,
// section 7; v3.0 vectors score the same except for rare rounding cases.

import type { Severity } from '../../model.js';

const WEIGHTS: Record<string, Record<string, number>> = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  C: { H: 0.56, L: 0.22, N: 0 },
  I: { H: 0.56, L: 0.22, N: 0 },
  A: { H: 0.56, L: 0.22, N: 0 },
};

/** CVSS v3.1 Roundup: the smallest number with one decimal that is >= the input, without float noise. */
function roundUp(value: number): number {
  const integer = Math.round(value * 100000);
  return integer % 10000 === 0 ? integer / 100000 : (Math.floor(integer / 10000) + 1) / 10;
}

/** The base score of a `CVSS:3.0/…` or `CVSS:3.1/…` vector; null for anything else (v2, v4, malformed). */
export function cvss3BaseScore(vector: string): number | null {
  const parts = vector.trim().split('/');
  if (!/^CVSS:3\.[01]$/.test(parts[0] ?? '')) return null;
  const metrics = new Map<string, string>();
  for (const part of parts.slice(1)) {
    const [key, value] = part.split(':');
    if (key && value) metrics.set(key, value);
  }
  const scope = metrics.get('S');
  if (scope !== 'U' && scope !== 'C') return null;
  const weight = (key: string): number | null => WEIGHTS[key]?.[metrics.get(key) ?? ''] ?? null;
  const pr = metrics.get('PR');
  const privileges = pr === 'N' ? 0.85 : pr === 'L' ? (scope === 'C' ? 0.68 : 0.62) : pr === 'H' ? (scope === 'C' ? 0.5 : 0.27) : null;
  const [av, ac, ui, c, i, a] = ['AV', 'AC', 'UI', 'C', 'I', 'A'].map(weight);
  if (av == null || ac == null || ui == null || c == null || i == null || a == null || privileges === null) return null;
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = scope === 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15;
  if (impact <= 0) return 0;
  const exploitability = 8.22 * av * ac * privileges * ui;
  return scope === 'U' ? roundUp(Math.min(impact + exploitability, 10)) : roundUp(Math.min(1.08 * (impact + exploitability), 10));
}

/** The qualitative rating of a CVSS score (v3 bands); 0.0 ("None") is info. */
export function severityOfScore(score: number): Severity {
  if (score <= 0) return 'info';
  if (score < 4) return 'low';
  if (score < 7) return 'moderate';
  if (score < 9) return 'high';
  return 'critical';
}
