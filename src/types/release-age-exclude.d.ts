// Arborist's matcher for npm's `min-release-age-exclude` (names and minimatch globs).
declare module '@npmcli/arborist/lib/release-age-exclude.js' {
  export function isReleaseAgeExcluded(name: string, patterns: string[]): boolean;
}
