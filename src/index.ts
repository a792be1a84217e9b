// depguard's library API. The CLI (src/cli/) is a thin layer over this.
export { audit, summarise, TOOL, type AuditOptions, type AuditOutcome } from './audit.js';
export { CHECKS } from './checks/index.js';
export { loadPolicy, presetPolicy, type Policy, type Waiver } from './config/load.js';
export { runChecks, type OmitType, type RunOptions } from './engine/run.js';
export { DepguardError, isDepguardError } from './errors.js';
export { loadProject } from './graph/load.js';
export * from './model.js';
export { loadRegistryConfig, type RegistryConfig } from './npm-config.js';
export { REPORTERS, FORMATS, type Format } from './reporters/index.js';
