import type { SecretReader } from '@pipewright/plugin-api'

const MASK = '***'

/**
 * Replaces secret values in text a tool printed. Linters quote source lines (a hard-coded token
 * is a classic finding), and records outlive the run's log redaction, so problems are masked
 * before they are stored or summarised.
 */
export function createRedactor(secrets: SecretReader): (text: string) => string {
  const values = secrets
    .names()
    .map((name) => secrets.get(name))
    .filter((v): v is string => typeof v === 'string' && v.length >= 3)
    .sort((a, b) => b.length - a.length)
  if (values.length === 0) return (text) => text
  return (text) => {
    let out = text
    for (const value of values) out = out.split(value).join(MASK)
    return out
  }
}
