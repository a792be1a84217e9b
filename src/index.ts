// depguard's library API. The CLI (src/cli/) is a thin layer over this.
export { audit, summarise, TOOL, type AuditOptions, type AuditOutcome } from './commands/check.js';
export { CHECKS } from './checks/index.js';
export { loadPolicy, presetPolicy, type Policy, type Waiver } from './policy/load.js';
export { runChecks, type OmitType, type RunOptions } from './policy/run.js';
export { DepguardError, isDepguardError } from './errors.js';
export { loadProject } from './load/load.js';
export * from './model.js';
export { loadNpmConfig, loadRegistryConfig, type FetchOptions, type NpmConfig, type RegistryConfig } from './enrich/npm-config.js';
export { RegistryClient, RegistryError, type Packument, type PackumentRequest, type RegistryClientOptions, type RegistryErrorCode, type RegistryManifest, type RegistryMode, type RequestEvent } from './enrich/registry-client.js';
export { RegistryManifests, type MissingManifest } from './enrich/registry-manifests.js';
export type { RegistryAccessOptions } from './enrich/access.js';
export type { TarballContents, TarballEntry, TarballLimits } from './enrich/tarball.js';
export type { CompactPackument, CompactVersion } from './enrich/packument.js';
export type { ManifestRequest, ManifestSource, PackageManifest } from './enrich/types.js';
export { REPORTERS, FORMATS, type Format } from './render/index.js';
export { diff, type DiffOptions, type DiffOutcome } from './commands/diff/run.js';
export { report, type ReportOutcome } from './commands/report/run.js';
export { remediate, type RemediationPlan } from './remediate/remediate.js';
