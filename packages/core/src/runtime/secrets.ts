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
