import { createHash, randomBytes } from 'node:crypto'
import { PipewrightError } from '@pipewright/plugin-api'
import { recordAudit } from '@pipewright/core'
import type { ApiTokenRecord, ApiTokenRole, Store } from '@pipewright/store-api'

export const ROLES: readonly ApiTokenRole[] = ['viewer', 'operator', 'approver', 'admin']

/** What a role may do: `read` everything, `operate` runs and deployments, `approve` deploys, `admin` tokens. */
export type Permission = 'read' | 'operate' | 'approve' | 'admin'

const GRANTS: Record<ApiTokenRole, readonly Permission[]> = {
  viewer: ['read'],
  operator: ['read', 'operate'],
  approver: ['read', 'approve'],
  admin: ['read', 'operate', 'approve', 'admin'],
}

export function allows(role: ApiTokenRole, permission: Permission): boolean {
  return GRANTS[role]?.includes(permission) ?? false
}

/** The roles that hold a permission, for error messages. */
export function rolesWith(permission: Permission): ApiTokenRole[] {
  return ROLES.filter((r) => allows(r, permission))
}

/** SHA-256 of a token, hex: the only form the store keeps. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/

/** Who changes a token, for the audit trail (default: `pipewright`, from the CLI). */
export interface TokenChangeBy {
  actor?: string
  source?: string
}

/**
 * Creates a token for `name` with `role`; returns the token itself (shown once) and its record.
 * The audit trail gets `token.created` with the name and role, never the token or its hash.
 */
export async function createApiToken(store: Store, input: { name: string; role: string; now?: number } & TokenChangeBy): Promise<{ token: string; record: ApiTokenRecord }> {
  if (!NAME_PATTERN.test(input.name)) {
    throw new PipewrightError('PW_ERR_USAGE', `Invalid token name "${input.name}"`, { details: 'Use 1 to 64 letters, digits, dots, dashes, underscores or @, starting with a letter or digit (e.g. alice, ci-bot).' })
  }
  if (!ROLES.includes(input.role as ApiTokenRole)) {
    throw new PipewrightError('PW_ERR_USAGE', `Invalid role "${input.role}"`, { details: `Use one of ${ROLES.join(', ')}.` })
  }
  const token = `pw_${randomBytes(32).toString('base64url')}`
  const record: ApiTokenRecord = { name: input.name, role: input.role as ApiTokenRole, hash: hashToken(token), createdAt: input.now ?? Date.now() }
  await store.addApiToken(record)
  await recordAudit(store, { action: 'token.created', actor: input.actor ?? 'pipewright', source: input.source ?? 'cli', at: record.createdAt, data: { name: record.name, role: record.role } })
  return { token, record }
}

/** Revokes the live token of `name` (false when there is none) and records `token.revoked`. */
export async function revokeApiToken(store: Store, input: { name: string; now?: number } & TokenChangeBy): Promise<boolean> {
  const at = input.now ?? Date.now()
  const live = (await store.listApiTokens()).find((t) => t.name === input.name && t.revokedAt === undefined)
  if (!(await store.revokeApiToken(input.name, at))) return false
  await recordAudit(store, { action: 'token.revoked', actor: input.actor ?? 'pipewright', source: input.source ?? 'cli', at, data: { name: input.name, role: live?.role ?? null } })
  return true
}

/** The token's record, or undefined for a missing, unknown or revoked token. */
export async function authenticate(store: Store, header: string | undefined): Promise<ApiTokenRecord | undefined> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')
  if (!match) return undefined
  return store.findApiToken(hashToken(match[1]!))
}
