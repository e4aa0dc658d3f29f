import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

export type Forge = 'github' | 'gitlab' | 'gitea'
export const FORGES: readonly Forge[] = ['github', 'gitlab', 'gitea']

/** A forge event reduced to what `on:` matches and what the run needs. */
export interface ForgeEvent {
  kind: 'push' | 'tag' | 'pull-request'
  sha: string
  branch?: string
  tag?: string
  /** Pull/merge requests: the branch it targets. */
  target?: string
  /** Files the pushed commits changed (pushes only). */
  files: string[]
  sender?: string
}

type Headers = Record<string, string | string[] | undefined>
const header = (headers: Headers, name: string): string | undefined => {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** Equal-length digests compared in constant time, so neither length nor content leaks. */
function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest()
  const db = createHash('sha256').update(b).digest()
  return timingSafeEqual(da, db) && a.length === b.length
}

/** Whether the delivery carries the forge's signature of `body` with `secret`. */
export function verifySignature(forge: Forge, secret: string, headers: Headers, body: Buffer): boolean {
  const hmac = createHmac('sha256', secret).update(body).digest('hex')
  if (forge === 'github') {
    const given = header(headers, 'x-hub-signature-256')
    return given !== undefined && safeEqual(given, `sha256=${hmac}`)
  }
  if (forge === 'gitea') {
    const given = header(headers, 'x-gitea-signature')
    return given !== undefined && safeEqual(given, hmac)
  }
  const given = header(headers, 'x-gitlab-token')
  return given !== undefined && safeEqual(given, secret)
}

/** The forge's delivery id (the body's hash when it sends none). */
export function deliveryId(forge: Forge, headers: Headers, body: Buffer): string {
  const id = forge === 'github' ? header(headers, 'x-github-delivery') : forge === 'gitea' ? header(headers, 'x-gitea-delivery') : (header(headers, 'x-gitlab-event-uuid') ?? header(headers, 'idempotency-key'))
  return id?.trim() || `sha256:${createHash('sha256').update(body).digest('hex')}`
}

export function eventName(forge: Forge, headers: Headers): string {
  return header(headers, forge === 'github' ? 'x-github-event' : forge === 'gitea' ? 'x-gitea-event' : 'x-gitlab-event') ?? ''
}

type Json = Record<string, unknown>
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {})
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
const ZERO_SHA = /^0+$/

function changedFiles(commits: unknown): string[] {
  const files = new Set<string>()
  for (const commit of Array.isArray(commits) ? commits : []) {
    for (const key of ['added', 'modified', 'removed']) for (const f of (obj(commit)[key] as unknown[] | undefined) ?? []) if (typeof f === 'string') files.add(f)
  }
  return [...files]
}

/** A push payload (GitHub, GitLab and Gitea share its shape): a branch or a tag; deletions start nothing. */
function push(payload: Json, sender: string | undefined): ForgeEvent | undefined {
  const ref = str(payload.ref)
  const sha = str(payload.checkout_sha) ?? str(payload.after)
  if (!ref || !sha || ZERO_SHA.test(sha) || payload.deleted === true) return undefined
  const files = changedFiles(payload.commits)
  const base = { sha, files, ...(sender ? { sender } : {}) }
  if (ref.startsWith('refs/tags/')) return { kind: 'tag', tag: ref.slice('refs/tags/'.length), ...base }
  if (ref.startsWith('refs/heads/')) return { kind: 'push', branch: ref.slice('refs/heads/'.length), ...base }
  return undefined
}

const PR_ACTIONS = new Set(['opened', 'synchronize', 'reopened', 'synchronized', 'open', 'reopen', 'update'])

/** Reads a forge's payload: undefined for events that start nothing (ping, closed PRs, deletions). */
export function parseEvent(forge: Forge, name: string, payload: unknown): ForgeEvent | undefined {
  const p = obj(payload)
  if (forge === 'gitlab') {
    const sender = str(p.user_username) ?? str(obj(p.user).username)
    if (name === 'Push Hook' || name === 'Tag Push Hook') return push(p, sender)
    if (name !== 'Merge Request Hook') return undefined
    const mr = obj(p.object_attributes)
    const sha = str(obj(mr.last_commit).id)
    if (!PR_ACTIONS.has(String(mr.action)) || !sha) return undefined
    return { kind: 'pull-request', sha, ...(str(mr.source_branch) ? { branch: str(mr.source_branch)! } : {}), ...(str(mr.target_branch) ? { target: str(mr.target_branch)! } : {}), files: [], ...(sender ? { sender } : {}) }
  }
  const sender = str(obj(p.sender).login) ?? str(obj(p.pusher).login) ?? str(obj(p.pusher).name)
  if (name === 'push') return push(p, sender)
  if (name !== 'pull_request') return undefined
  const pr = obj(p.pull_request)
  const sha = str(obj(pr.head).sha)
  if (!PR_ACTIONS.has(String(p.action)) || !sha) return undefined
  return { kind: 'pull-request', sha, ...(str(obj(pr.head).ref) ? { branch: str(obj(pr.head).ref)! } : {}), ...(str(obj(pr.base).ref) ? { target: str(obj(pr.base).ref)! } : {}), files: [], ...(sender ? { sender } : {}) }
}
