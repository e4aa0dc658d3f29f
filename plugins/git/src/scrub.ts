/**
 * Removes secret values (and the encodings git or HTTP could echo them in) from text that is
 * about to reach a log line, an error message or stored data.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) {
    if (secret.length === 0) continue
    for (const form of new Set([secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')])) {
      out = out.split(form).join('***')
    }
  }
  return out
}
