// The audit trail's records and its part of the store contract.

/** What happened, as a caller appends it to the audit trail (the store adds seq and hashes). */
export interface AuditEntryInput {
  /** Epoch ms (engine clock). */
  at: number
  /** `domain.verb`: `run.triggered`, `gate.evaluated`, `approval.approved`, `deploy.finished`, `token.created` … */
  action: string
  /** Who did it: a user name, a token's identity, `pipewright` for the engine itself. */
  actor: string
  /** Where it came from: `cli`, `api`, `webhook`, `schedule`, `engine` … */
  source: string
  /** What it is about. */
  subject?: { runId?: string; stageId?: string; environment?: string; deploymentId?: string; pipeline?: string }
  /** The facts (JSON). Never secret values: names only. */
  data?: Record<string, unknown>
}

/** An entry as the append-only, hash-chained audit trail keeps it. */
export interface AuditEntry extends AuditEntryInput {
  /** 1, 2, 3 … in append order. */
  seq: number
  /** The hash of the entry before (64 zeros for the first). */
  prevHash: string
  /** SHA-256 (hex) of the canonical JSON of the entry's content and `prevHash` (see `hashAuditEntry`). */
  hash: string
}

/** The last entry of the chain, as the store records it beside the log (or as a user wrote it down). */
export interface AuditHead {
  seq: number
  hash: string
}

export interface AuditFilter {
  /** Entries at or after (epoch ms). */
  since?: number
  /** Entries before (epoch ms). */
  until?: number
  afterSeq?: number
  action?: string
  runId?: string
  deploymentId?: string
  limit?: number
}

/**
 * The audit trail's part of the store contract (`Store` extends it). Appends are serialized
 * across processes (SQLite: an IMMEDIATE transaction reads the head, chains and writes the entry
 * and the new head), so the chain never forks; nothing ever updates or deletes an entry.
 */
export interface AuditStore {
  /** Appends one entry, chained to the current head; returns it as stored. Written at once (not buffered). */
  appendAudit(entry: AuditEntryInput): Promise<AuditEntry>
  /** Entries oldest first (by seq). */
  listAudit(filter?: AuditFilter): Promise<AuditEntry[]>
  /** The head recorded with the last append (undefined before the first). */
  getAuditHead(): Promise<AuditHead | undefined>
}
