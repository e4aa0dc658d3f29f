import { createHash } from 'node:crypto'
import canonicalize from 'canonicalize'
import type { AuditEntry, AuditEntryInput, AuditFilter, AuditHead } from './types.js'

/** The `prevHash` of the first entry: the chain starts from nothing. */
export const AUDIT_GENESIS = '0'.repeat(64)

/** The state key under which SQL stores keep the chain's head (seq and hash of the last entry). */
export const AUDIT_HEAD_KEY = 'pipewright:audit-head'

/**
 * The hash of an entry: SHA-256 (hex) over the RFC 8785 canonical JSON of its content and the
 * previous entry's hash. The position (`seq`) is not hashed: order is what the links say, so a
 * reordered or renumbered log shows up as broken links, naming where.
 */
export function hashAuditEntry(entry: AuditEntryInput, prevHash: string): string {
  const content = { prevHash, at: entry.at, action: entry.action, actor: entry.actor, source: entry.source, subject: entry.subject ?? {}, data: entry.data ?? {} }
  const text = canonicalize(content)
  if (text === undefined) throw new TypeError('audit entry cannot be canonicalized')
  return createHash('sha256').update(text).digest('hex')
}

/** The entry to store after `head` (undefined: the first); stores call this inside their append transaction. */
export function chainAuditEntry(input: AuditEntryInput, head: AuditHead | undefined): AuditEntry {
  const prevHash = head?.hash ?? AUDIT_GENESIS
  // JSON round trip: what is hashed is exactly what a store can keep and give back.
  const entry = JSON.parse(JSON.stringify(input)) as AuditEntryInput
  return { seq: (head?.seq ?? 0) + 1, ...entry, prevHash, hash: hashAuditEntry(entry, prevHash) }
}

export function matchesAuditFilter(entry: AuditEntry, filter: AuditFilter): boolean {
  return (filter.since === undefined || entry.at >= filter.since)
    && (filter.until === undefined || entry.at < filter.until)
    && (filter.afterSeq === undefined || entry.seq > filter.afterSeq)
    && (filter.action === undefined || entry.action === filter.action)
    && (filter.runId === undefined || entry.subject?.runId === filter.runId)
    && (filter.deploymentId === undefined || entry.subject?.deploymentId === filter.deploymentId)
}

/** One thing `verifyAuditChain` found wrong. */
export interface AuditProblem {
  /** The entry (its `seq` as stored) where the problem shows. */
  seq: number
  kind: 'altered' | 'removed' | 'inserted' | 'reordered' | 'renumbered' | 'truncated' | 'appended' | 'anchor'
  message: string
}

export interface VerifyAuditOptions {
  /** The head the store recorded with the last append (pass the key with undefined when the store has none). */
  head?: AuditHead | undefined
  /** A head written down elsewhere earlier (`pipewright audit head`): that entry must still be there, unchanged. */
  anchor?: AuditHead
}

export interface AuditVerification {
  ok: boolean
  entries: number
  head?: AuditHead
  problems: AuditProblem[]
}

/**
 * Checks a whole log, oldest first as stored: each entry's hash against its content, each link
 * against the entry before it, the numbering, and the last entry against the recorded head (a
 * removed last entry leaves the head pointing past the end) and an optional external anchor.
 */
export function verifyAuditChain(entries: readonly AuditEntry[], options: VerifyAuditOptions = {}): AuditVerification {
  const { head: recordedHead, anchor } = options
  const problems: AuditProblem[] = []
  const position = new Map(entries.map((e, i) => [e.hash, i]))
  entries.forEach((entry, i) => {
    const before = entries[i - 1]
    if (hashAuditEntry(entry, entry.prevHash) !== entry.hash) {
      problems.push({ seq: entry.seq, kind: 'altered', message: `entry ${entry.seq} was altered: its content (${entry.action} by ${entry.actor}) no longer matches its hash` })
    }
    const expectedPrev = before?.hash ?? AUDIT_GENESIS
    const gap = before !== undefined && entry.seq !== before.seq + 1
    if (entry.prevHash !== expectedPrev) problems.push(linkProblem(entries, position, i, gap))
    else if (gap) problems.push({ seq: entry.seq, kind: 'renumbered', message: `entry ${entry.seq} follows entry ${before!.seq}: the numbering was edited (the chain itself is intact)` })
    else if (before === undefined && entry.seq !== 1) problems.push({ seq: entry.seq, kind: 'renumbered', message: `the first entry is numbered ${entry.seq}, not 1: the numbering was edited` })
  })
  const last = entries.at(-1)
  if (recordedHead !== undefined) problems.push(...headProblems(last, recordedHead, 'the recorded head'))
  else if ('head' in options && last !== undefined) problems.push({ seq: last.seq, kind: 'truncated', message: 'the recorded head is missing although the log has entries: it was deleted, so removed entries at the end cannot be ruled out' })
  if (anchor !== undefined) {
    const anchored = entries.find((e) => e.seq === anchor.seq)
    if (anchored === undefined || anchored.hash !== anchor.hash) {
      problems.push({ seq: anchor.seq, kind: 'anchor', message: anchored === undefined ? `entry ${anchor.seq} named by the anchor is missing` : `entry ${anchor.seq} has hash ${anchored.hash.slice(0, 12)}…, the anchor says ${anchor.hash.slice(0, 12)}…: the log was rewritten since the anchor was taken` })
    }
  }
  return { ok: problems.length === 0, entries: entries.length, ...(last ? { head: { seq: last.seq, hash: last.hash } } : {}), problems }
}

function linkProblem(entries: readonly AuditEntry[], position: Map<string, number>, i: number, gap: boolean): AuditProblem {
  const entry = entries[i]!
  const before = entries[i - 1]
  if (before !== undefined && entry.prevHash === before.prevHash) {
    return { seq: before.seq, kind: 'inserted', message: `entry ${before.seq} was inserted: entry ${entry.seq} was written right after the entry before it` }
  }
  const target = position.get(entry.prevHash)
  if (target !== undefined) {
    return { seq: entry.seq, kind: 'reordered', message: `entry ${entry.seq} is out of order: it was written right after entry ${entries[target]!.seq}, not after ${before ? `entry ${before.seq}` : 'the start'}` }
  }
  if (gap) {
    const from = before!.seq + 1
    const to = entry.seq - 1
    return { seq: from, kind: 'removed', message: `${from === to ? `entry ${from} was` : `entries ${from} to ${to} were`} removed: entry ${entry.seq} links to an entry that is not in the log` }
  }
  return { seq: entry.seq, kind: 'removed', message: `the entry before entry ${entry.seq} was removed or replaced: entry ${entry.seq} links to an entry that is not in the log` }
}

function headProblems(last: AuditEntry | undefined, head: AuditHead, what: string): AuditProblem[] {
  const lastSeq = last?.seq ?? 0
  if (head.seq > lastSeq) {
    const from = lastSeq + 1
    return [{ seq: from, kind: 'truncated', message: `${from === head.seq ? `entry ${from} was` : `entries ${from} to ${head.seq} were`} removed from the end: ${what} is entry ${head.seq}, the log ends at ${lastSeq === 0 ? 'nothing' : `entry ${lastSeq}`}` }]
  }
  if (head.seq < lastSeq) {
    return [{ seq: head.seq + 1, kind: 'appended', message: `entries ${head.seq + 1} to ${lastSeq} were added outside Pipewright: ${what} is entry ${head.seq}` }]
  }
  if (last !== undefined && last.hash !== head.hash) {
    return [{ seq: last.seq, kind: 'altered', message: `entry ${last.seq} is not the entry ${what} names (hash ${last.hash.slice(0, 12)}…, expected ${head.hash.slice(0, 12)}…): it was replaced` }]
  }
  return []
}

/** An audit entry as SQL stores keep it: subject and data as JSON text (`null` when absent). */
export interface AuditRow {
  seq: number
  at: number
  action: string
  actor: string
  source: string
  subject: string
  data: string
  prev_hash: string
  hash: string
}

/** Reads a stored row back into the entry that was hashed (absent subject/data stay absent). */
export function auditRowToEntry(row: AuditRow): AuditEntry {
  const entry: AuditEntry = { seq: row.seq, at: row.at, action: row.action, actor: row.actor, source: row.source, prevHash: row.prev_hash, hash: row.hash }
  const subject = JSON.parse(row.subject) as AuditEntry['subject'] | null
  const data = JSON.parse(row.data) as AuditEntry['data'] | null
  if (subject !== null && subject !== undefined) entry.subject = subject
  if (data !== null && data !== undefined) entry.data = data
  return entry
}
