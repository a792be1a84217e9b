// VEX statements as depguard holds them, between its waivers and the two
// document formats it reads and writes (CycloneDX `vulnerabilities[].analysis`
// and OpenVEX 0.2.0). A statement says a vulnerability does not affect the
// project (not_affected) or was fixed in it (fixed), for some packages or
// for the project as a whole, why, and until when the author vouches for it.

/** OpenVEX 0.2.0's justification labels (CISA's minimum requirements for VEX). */
export const VEX_JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;
export type VexJustification = (typeof VEX_JUSTIFICATIONS)[number];

/** CycloneDX's analysis justifications for each OpenVEX label (the mapping CISA's VEX status document gives). */
export const CYCLONEDX_JUSTIFICATION: Record<VexJustification, string> = {
  component_not_present: 'code_not_present',
  vulnerable_code_not_present: 'code_not_present',
  vulnerable_code_not_in_execute_path: 'code_not_reachable',
  vulnerable_code_cannot_be_controlled_by_adversary: 'requires_environment',
  inline_mitigations_already_exist: 'protected_by_mitigating_control',
};

/** And back: CycloneDX's nine justifications onto OpenVEX's five. */
export const OPENVEX_JUSTIFICATION: Record<string, VexJustification> = {
  code_not_present: 'vulnerable_code_not_present',
  code_not_reachable: 'vulnerable_code_not_in_execute_path',
  requires_configuration: 'vulnerable_code_cannot_be_controlled_by_adversary',
  requires_dependency: 'component_not_present',
  requires_environment: 'vulnerable_code_cannot_be_controlled_by_adversary',
  protected_by_compiler: 'inline_mitigations_already_exist',
  protected_at_runtime: 'inline_mitigations_already_exist',
  protected_at_perimeter: 'inline_mitigations_already_exist',
  protected_by_mitigating_control: 'inline_mitigations_already_exist',
};

export interface VexProduct {
  /** Registry name (`@scope/name`). */
  name: string;
  /** An exact version, or null for every version. */
  version: string | null;
  purl: string;
}

export interface VexStatement {
  /** The vulnerability's main id (GHSA-…, CVE-…, MAL-…). */
  vulnerability: string;
  aliases: string[];
  status: 'not_affected' | 'fixed';
  justification: VexJustification | null;
  /** Free text: why (a waiver's reason, an impact statement, status notes). */
  reason: string;
  /** YYYY-MM-DD after which the statement no longer applies, or null. */
  expires: string | null;
  /** The packages it is about; empty: the project as a whole. */
  products: VexProduct[];
}

/**
 * How depguard records a statement's expiry in OpenVEX, which has no field
 * for it: a line of `status_notes`. Read back by the same pattern.
 */
export const EXPIRES_NOTE = 'depguard-expires:';
export const EXPIRES_PATTERN = /depguard-expires:\s*(\d{4}-\d{2}-\d{2})/;
/** The CycloneDX vulnerability property holding it. */
export const EXPIRES_PROPERTY = 'depguard:expires';
