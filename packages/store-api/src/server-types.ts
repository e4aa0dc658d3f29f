// The server's records and its part of the store contract.

/** What an API token may do on the server (see docs/server.md). */
export type ApiTokenRole = 'viewer' | 'operator' | 'approver' | 'admin'

/** An API token as the store keeps it: never the token, only its SHA-256 hash. */
export interface ApiTokenRecord {
  /** The identity requests made with it act as (unique among tokens not revoked). */
  name: string
  role: ApiTokenRole
  /** Hex SHA-256 of the token. */
  hash: string
  createdAt: number
  revokedAt?: number
}

/** A mutating request the server served, with who made it (its token's name and role). */
export interface ServerActionRecord {
  at: number
  actor: string
  role: string
  /** `POST /api/runs/:id/cancel` … */
  action: string
  /** What it acted on (a run id, an environment, a token name). */
  target?: string
  /** HTTP status answered. */
  status: number
}

/** A renewable lease: `holder` has `key` in `scope` until `expiresAt` (epoch ms), unless it renews it. */
export interface LeaseRecord {
  scope: string
  key: string
  /** Who holds it (a server's or an agent's id). */
  holder: string
  /** When this holder took it (a renewal keeps it). */
  acquiredAt: number
  expiresAt: number
}

/** The server's additions to a store: tokens, one-time claims (webhook deliveries, schedule slots), leases, actions. */
export interface ServerStore {
  /** Stores a token; PW_ERR_USAGE when a token not revoked already has this name. */
  addApiToken(token: ApiTokenRecord): Promise<void>
  /** The token (not revoked) with this hash. */
  findApiToken(hash: string): Promise<ApiTokenRecord | undefined>
  /** Every token, revoked ones too, by creation. */
  listApiTokens(): Promise<ApiTokenRecord[]>
  /** Revokes the live token of this name; false when there is none. */
  revokeApiToken(name: string, at: number): Promise<boolean>
  /**
   * Claims `key` in `scope` once (a unique insert, atomic across processes): true for the first
   * claimer, false for every later one. Webhook delivery ids and schedule slots use it.
   */
  claimOnce(scope: string, key: string, at: number): Promise<boolean>
  /** The newest claim of a scope whose key starts with `prefix` (a schedule's last fired slot). */
  lastClaim(scope: string, prefix: string): Promise<{ key: string; at: number } | undefined>
  /**
   * Takes the lease on `key` in `scope` for `holder` until `now + ttlMs`, or renews it: true when
   * `holder` holds it afterwards — it was free, expired (`expiresAt <= now`) or already `holder`'s;
   * false while another holder's lease is live. Atomic across processes (one conditional upsert):
   * of two holders asking at once, exactly one wins. Hosted monitors take one per environment
   * (`acquireLease('watch', environment, …)`), so one server or agent watches it; when the holder
   * dies without releasing, another takes over once the lease expires.
   */
  acquireLease(scope: string, key: string, holder: string, now: number, ttlMs: number): Promise<boolean>
  /** Ends `holder`'s lease on `key` at once (another holder's stays): true when it held it. */
  releaseLease(scope: string, key: string, holder: string): Promise<boolean>
  /** The leases of `scope` still live at `now`, by key. */
  listLeases(scope: string, now: number): Promise<LeaseRecord[]>
  /** Records a mutating request and its actor. */
  addServerAction(action: ServerActionRecord): Promise<void>
  /** Newest first. */
  listServerActions(limit?: number): Promise<ServerActionRecord[]>
}
