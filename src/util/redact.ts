// The one place secrets are taken out of text that leaves depguard: every
// renderer, message, diagnostic, --verbose line and cache file goes through
// it. A lockfile, a registry URL or an error message can carry a credential
// (`https://user:SECRET@host/…`, `?token=…`, an .npmrc line
// `//host/:_authToken=…`); what leaves keeps the host and path, so a reader
// can still tell where a package comes from, and never the secret.

/** Query parameters and npmrc keys whose value is a credential. */
const SECRET_NAMES = '(?:_authToken|_auth|_password|password|passwd|pass|pwd|token|access_token|auth_token|api_key|apikey|key|secret|signature|sig|x-amz-signature|x-amz-credential|x-amz-security-token|npm_token|auth)';

/** `scheme://userinfo@` (userinfo without a slash, whitespace or quote). */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@'"<>`]*)@/gi;
/** git's conventional `git@` user (git+ssh URLs) carries no secret: kept. Any other userinfo may be a token. */
const PLAIN_USER = /^git$/i;
/** `?name=value` / `&name=value` for a secret name. */
const SECRET_QUERY = new RegExp(`([?&;]${SECRET_NAMES}=)[^&#\\s'"<>\`]*`, 'gi');
/** An npmrc assignment of a credential: `_authToken=…`, `//host/:_password = …`. */
const SECRET_ASSIGNMENT = /((?:^|[\s:"'])(?:_authToken|_auth|_password|npmAuthToken|npmAuthIdent)\s*[=:]\s*"?)[^\s"'&]+/gi;

export const REDACTED = 'REDACTED';

/** A text with every credential-shaped part replaced: URL userinfo removed, secret query values and npmrc credentials replaced by REDACTED. */
export function redactText(text: string): string {
  if (!text) return text;
  // Fast path: nothing that looks like a URL with userinfo, a query or a credential key.
  if (!text.includes('@') && !text.includes('=') && !/_auth|_password|npmAuth/i.test(text)) return text;
  return text
    .replace(USERINFO, (whole, scheme: string, userinfo: string) => (PLAIN_USER.test(userinfo) ? whole : scheme))
    .replace(SECRET_QUERY, `$1${REDACTED}`)
    .replace(SECRET_ASSIGNMENT, (_whole, head: string) => `${head}${REDACTED}`);
}

/** A URL fit for logs, messages and cache keys: no user name, password or query string (tokens hide there). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    if (parsed.search) parsed.search = '?…';
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}

/** The URL without its user name and password (query kept): what a request or cache key may hold. */
export function withoutUserinfo(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return redactText(url);
  }
}

/**
 * A deep copy of a JSON-like value with every string redacted (object keys
 * too: a lockfile location or evidence key can be a URL). Plain data only:
 * findings, diagnostics, check data.
 */
export function redactDeep<T>(value: T): T {
  return walk(value, new WeakMap()) as T;
}

function walk(value: unknown, seen: WeakMap<object, unknown>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    seen.set(value, copy);
    for (const item of value) copy.push(walk(item, seen));
    return copy;
  }
  // Maps, Sets, class instances: left as they are (renderers only see plain data).
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const copy: Record<string, unknown> = proto === null ? Object.create(null) : {};
  seen.set(value, copy);
  for (const [key, item] of Object.entries(value)) copy[redactText(key)] = walk(item, seen);
  return copy;
}
