import { readFile } from 'node:fs/promises'
import { parse as parseDotenv } from 'dotenv'
import { PipewrightError } from '@pipewright/plugin-api'

export const SECRET_ENV_PREFIX = 'PIPEWRIGHT_SECRET_'

export interface SecretSources {
  declared: string[]
  env: Record<string, string | undefined>
  file?: string
  given?: Record<string, string>
}

/**
 * Collects secret values: explicit values, then the secret file, then PIPEWRIGHT_SECRET_<NAME>.
 * A declared secret that none provides is an error before the run starts.
 */
export async function loadSecrets(sources: SecretSources): Promise<Map<string, string>> {
  const values = new Map<string, string>()
  for (const [k, v] of Object.entries(sources.env)) {
    if (k.startsWith(SECRET_ENV_PREFIX) && v !== undefined) values.set(k.slice(SECRET_ENV_PREFIX.length), v)
  }
  if (sources.file) {
    let text: string
    try {
      text = await readFile(sources.file, 'utf8')
    } catch (cause) {
      throw new PipewrightError('PW_ERR_SECRET_FILE', `Cannot read secret file ${sources.file}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`, { cause })
    }
    const bad = malformedLines(text)
    if (bad.length > 0) {
      throw new PipewrightError('PW_ERR_SECRET_FILE', `Secret file ${sources.file} has ${bad.length > 1 ? 'lines that are' : 'a line that is'} not NAME=value: line ${bad.join(', ')}`, {
        details: 'Write one NAME=value per line (values may be quoted; # starts a comment). The lines are not shown, since they may hold secrets.',
      })
    }
    for (const [k, v] of Object.entries(parseDotenv(text))) values.set(k, v)
  }
  for (const [k, v] of Object.entries(sources.given ?? {})) values.set(k, v)
  const missing = sources.declared.filter((name) => !values.has(name))
  if (missing.length > 0) {
    throw new PipewrightError('PW_ERR_SECRET_MISSING', `Secret${missing.length > 1 ? 's' : ''} not provided: ${missing.join(', ')}`, {
      details: `Set ${missing.map((n) => SECRET_ENV_PREFIX + n).join(', ')} in the environment, or pass --secret-file with ${missing.map((n) => `${n}=…`).join(', ')} lines.`,
    })
  }
  return values
}

/** Line numbers of a dotenv text that are neither NAME=value, a comment, blank, nor inside a quoted multi-line value. */
export function malformedLines(text: string): number[] {
  const bad: number[] = []
  let openQuote: string | undefined
  text.split(/\r?\n/).forEach((line, index) => {
    if (openQuote) {
      if (line.includes(openQuote)) openQuote = undefined
      return
    }
    const trimmed = line.trim()
    if (trimmed === '' || trimmed.startsWith('#')) return
    const m = /^(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=\s*(.*)$/.exec(trimmed)
    if (!m) {
      bad.push(index + 1)
      return
    }
    const value = m[1]!
    const quote = value[0]
    if ((quote === '"' || quote === "'" || quote === '`') && !value.slice(1).includes(quote)) openQuote = quote
  })
  return bad
}
