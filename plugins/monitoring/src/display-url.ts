/**
 * A URL as it may appear in a sample's reason, a log line or an error: scheme, host and path only.
 * User info, query and fragment are dropped — they are where tokens hide.
 */
export function displayUrl(url: string | URL): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return '(invalid URL)'
  }
}
