// The registries the user's npm would talk to, read from npm's own
// configuration (builtin, global, user and project .npmrc, npm_config_* env),
// so depguard never hard-codes a registry host.

export interface RegistryConfig {
  /** The default registry, normalised to end with a slash. */
  registry: string;
  /** Scoped registries by scope (`@acme` -> URL). */
  scopes: Record<string, string>;
}

export function normaliseRegistry(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** `host` or `host:port` of a URL, lower-cased, as lockfile hosts are compared. */
export function hostOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.host.toLowerCase() || null;
  } catch {
    return null;
  }
}

/** The registry URLs a lockfile may legitimately resolve to. */
export function registryUrls(config: RegistryConfig): string[] {
  return [config.registry, ...Object.values(config.scopes)];
}

export async function loadRegistryConfig(projectPath: string, overrideRegistry?: string): Promise<RegistryConfig> {
  const { default: Config } = await import('@npmcli/config');
  const definitionsModule = await import('@npmcli/config/lib/definitions/index.js');
  // CommonJS: the exports object arrives as the default export.
  const { definitions, shorthands, flatten, nerfDarts } = (definitionsModule as unknown as { default: typeof definitionsModule }).default;
  const config = new Config({
    definitions,
    shorthands,
    flatten,
    nerfDarts,
    npmPath: projectPath,
    argv: [],
    cwd: projectPath,
    excludeNpmCwd: true,
  });
  await config.load();
  const scopes: Record<string, string> = Object.create(null);
  // Later layers win: default < builtin < global < user < project < env < cli.
  for (const [, layer] of config.data) {
    for (const [key, value] of Object.entries(layer.data)) {
      const match = /^(@[^:]+):registry$/.exec(key);
      if (match?.[1] && typeof value === 'string' && value) scopes[match[1]] = normaliseRegistry(value);
    }
  }
  const registry = overrideRegistry ?? String(config.get('registry'));
  return { registry: normaliseRegistry(registry), scopes: { ...scopes } };
}
