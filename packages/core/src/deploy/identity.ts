import { execFile } from 'node:child_process'

function gitConfig(cwd: string, key: string, env: Record<string, string | undefined>): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['config', '--get', key], { cwd, timeout: 5_000, env: { ...(env as NodeJS.ProcessEnv), GIT_TERMINAL_PROMPT: '0' } }, (error, stdout) => {
      const value = error ? '' : stdout.trim()
      resolve(value === '' ? undefined : value)
    })
  })
}

/**
 * Who is acting: `--as` when given, else the git user of `cwd` (`Name <email>`, or whichever of
 * the two is set); undefined when neither is known.
 */
export async function resolveIdentity(options: { as?: string; cwd: string; env?: Record<string, string | undefined> }): Promise<string | undefined> {
  const given = options.as?.trim()
  if (given) return given
  const env = options.env ?? process.env
  const [name, email] = await Promise.all([gitConfig(options.cwd, 'user.name', env), gitConfig(options.cwd, 'user.email', env)])
  if (name && email) return `${name} <${email}>`
  return name ?? email
}

function parts(identity: string): { name: string; email?: string } {
  const m = /^(.*?)\s*<([^>]+)>\s*$/.exec(identity.trim())
  if (m) return { name: m[1]!.trim().toLowerCase(), email: m[2]!.trim().toLowerCase() }
  const text = identity.trim().toLowerCase()
  return text.includes('@') ? { name: '', email: text } : { name: text }
}

/**
 * Whether two identities name the same person: equal ignoring case, or the same name, or the
 * same e-mail (`alice` and `Alice <alice@example.com>` are one person).
 */
export function sameIdentity(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false
  const x = parts(a)
  const y = parts(b)
  return (x.name !== '' && x.name === y.name) || (x.email !== undefined && x.email === y.email)
}
