/**
 * A URL as it may appear in a log line or an error: scheme, host and path. User info, query and
 * fragment are dropped — they are where tokens hide. `hidePath` also drops the path, for URLs
 * whose path is the secret (Slack's incoming webhooks).
 */
export function displayUrl(url: string, options: { hidePath?: boolean } = {}): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${options.hidePath ? (u.pathname === '/' ? '/' : '/…') : u.pathname}`
  } catch {
    return '(invalid URL)'
  }
}
