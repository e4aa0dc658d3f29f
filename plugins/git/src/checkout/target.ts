import { PipewrightError } from '@pipewright/plugin-api'
import type { GitRunner } from '../git.js'
import { remoteError, type RemoteSpec } from '../remote.js'

/** What `ref` turned out to be on the remote. */
export type CheckoutTarget =
  | { kind: 'branch'; name: string; ref: string }
  | { kind: 'tag'; name: string; ref: string }
  | { kind: 'sha'; name: string }

export interface RemoteRefs {
  refs: Map<string, string>
  /** Branch the remote's HEAD points at, if it says. */
  defaultBranch?: string
}

/** Lists the remote's refs; this is also where unreachable repositories and bad credentials show up. */
export async function listRemoteRefs(git: GitRunner, remote: RemoteSpec, cwd: string, env: Record<string, string>, secretName?: string): Promise<RemoteRefs> {
  const result = await git.attempt(['ls-remote', '--symref', remote.url], { cwd, env })
  if (result.exitCode !== 0) throw remoteError(remote, 'ls-remote', result.stderr, secretName)
  const refs = new Map<string, string>()
  let defaultBranch: string | undefined
  for (const line of result.stdout.split('\n')) {
    const [left, name] = line.split('\t')
    if (!left || !name) continue
    const symref = /^ref: refs\/heads\/(.+)$/.exec(left)
    if (symref && name === 'HEAD') defaultBranch = symref[1]
    else if (!symref) refs.set(name, left)
  }
  return { refs, defaultBranch }
}

/** Decides what `ref` names: a branch, a tag or a commit. Throws naming the repo when it is none. */
export function resolveTarget(remoteRefs: RemoteRefs, ref: string | undefined, remote: RemoteSpec): CheckoutTarget {
  const { refs, defaultBranch } = remoteRefs
  if (ref === undefined) {
    if (defaultBranch) return { kind: 'branch', name: defaultBranch, ref: `refs/heads/${defaultBranch}` }
    const head = refs.get('HEAD')
    if (head) return { kind: 'sha', name: head }
    throw new PipewrightError('PW_ERR_GIT_REF', `Repository ${remote.display} has no commits or no default branch`, {
      details: 'Push a commit to it, or set `ref:` to a branch, tag or commit that exists.',
    })
  }
  if (ref.startsWith('refs/heads/') && refs.has(ref)) return { kind: 'branch', name: ref.slice('refs/heads/'.length), ref }
  if (ref.startsWith('refs/tags/') && refs.has(ref)) return { kind: 'tag', name: ref.slice('refs/tags/'.length), ref }
  if (refs.has(`refs/heads/${ref}`)) return { kind: 'branch', name: ref, ref: `refs/heads/${ref}` }
  if (refs.has(`refs/tags/${ref}`)) return { kind: 'tag', name: ref, ref: `refs/tags/${ref}` }
  if (/^[0-9a-f]{4,64}$/i.test(ref)) return { kind: 'sha', name: ref.toLowerCase() }
  throw unknownRef(ref, remote, refs)
}

export function unknownRef(ref: string, remote: RemoteSpec, refs?: Map<string, string>): PipewrightError {
  const names = (prefix: string) =>
    [...(refs?.keys() ?? [])].filter((r) => r.startsWith(prefix) && !r.endsWith('^{}')).map((r) => r.slice(prefix.length))
  const branches = names('refs/heads/')
  const tags = names('refs/tags/')
  const known = refs
    ? ` Branches: ${branches.slice(0, 10).join(', ') || 'none'}${branches.length > 10 ? ', …' : ''}; tags: ${tags.slice(0, 10).join(', ') || 'none'}${tags.length > 10 ? ', …' : ''}.`
    : ''
  return new PipewrightError('PW_ERR_GIT_REF', `Ref "${ref}" not found in ${remote.display}`, {
    details: `Set \`ref:\` to a branch, tag or commit sha that exists in the repository.${known}`,
  })
}
