import { PipewrightError, type SecretReader } from '@pipewright/plugin-api'
import type { RemoteSpec } from './remote.js'

/** `credentials:` as written in a stage's `with:`. */
export interface CredentialsConfig {
  username?: string
  'password-secret': string
}

export interface GitAuth {
  /** Environment that makes git send the credentials (GIT_CONFIG_* entries). */
  env: Record<string, string>
  /** Name of the secret used, for messages. */
  secretName?: string
}

/** Default username sent with a token when `credentials.username` is not set. */
export const DEFAULT_USERNAME = 'git'

/**
 * Builds the environment that authenticates git over HTTP(S) with a secret. The password travels
 * only as an `http.<origin>/.extraHeader` in GIT_CONFIG_* variables: never in argv, the URL or
 * `.git/config`, and only to the repository's own host and port. The run's redactor masks the
 * header too: it covers a secret's base64 forms at every alignment.
 */
export function createGitAuth(options: {
  remote: RemoteSpec
  credentials?: CredentialsConfig
  secrets: SecretReader
  /** Where the credentials were configured, for messages (e.g. `stages.checkout.with.credentials`). */
  where: string
  extraConfig?: Array<[string, string]>
  baseEnv?: Readonly<Record<string, string | undefined>>
}): GitAuth {
  const entries: Array<[string, string]> = [...(options.extraConfig ?? [])]
  const { credentials, remote } = options
  if (credentials) {
    const name = credentials['password-secret']
    const password = options.secrets.get(name)
    if (password === undefined || password === '') {
      throw new PipewrightError('PW_ERR_SECRET_MISSING', `Secret "${name}" named by ${options.where}.password-secret is not set`, {
        details: `Provide it as PIPEWRIGHT_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')} in the environment or in the --secret-file.`,
      })
    }
    if (remote.kind !== 'http') {
      throw new PipewrightError('PW_ERR_GIT_AUTH', `${options.where} is set but ${remote.display} is not an http(s) URL`, {
        details: 'Credentials from secrets are sent as HTTP Basic auth; remove `credentials` for local and ssh repositories.',
      })
    }
    const token = Buffer.from(`${credentials.username ?? DEFAULT_USERNAME}:${password}`).toString('base64')
    const origin = new URL(remote.url).origin
    entries.push([`http.${origin}/.extraHeader`, `Authorization: Basic ${token}`])
  }
  return { env: gitConfigEnv(entries, options.baseEnv ?? process.env), secretName: credentials?.['password-secret'] }
}

/** Appends config entries to any GIT_CONFIG_COUNT entries the environment already has. */
export function gitConfigEnv(entries: Array<[string, string]>, baseEnv: Readonly<Record<string, string | undefined>>): Record<string, string> {
  if (entries.length === 0) return {}
  const start = Number.parseInt(baseEnv.GIT_CONFIG_COUNT ?? '0', 10) || 0
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(start + entries.length) }
  entries.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${start + i}`] = key
    env[`GIT_CONFIG_VALUE_${start + i}`] = value
  })
  return env
}
