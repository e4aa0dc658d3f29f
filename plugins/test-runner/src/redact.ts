import type { SecretReader } from '@pipewright/plugin-api'

/**
 * Replaces secret values in text that is stored or shown (failure messages can echo anything a
 * test printed). Very short values are skipped: they would blank out ordinary words.
 */
export function createRedactor(secrets: SecretReader): (text: string) => string {
  const values = secrets
    .names()
    .map((name) => secrets.get(name))
    .filter((v): v is string => typeof v === 'string' && v.length >= 4)
    .sort((a, b) => b.length - a.length)
  if (values.length === 0) return (text) => text
  return (text) => values.reduce((out, value) => out.split(value).join('***'), text)
}
