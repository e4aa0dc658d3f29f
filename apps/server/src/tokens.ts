import { createHash, randomBytes } from 'node:crypto'
import { PipewrightError } from '@pipewright/plugin-api'
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

/** Creates a token for `name` with `role`; returns the token itself (shown once) and its record. */
export async function createApiToken(store: Store, input: { name: string; role: string; now?: number }): Promise<{ token: string; record: ApiTokenRecord }> {
  if (!NAME_PATTERN.test(input.name)) {
    throw new PipewrightError('PW_ERR_USAGE', `Invalid token name "${input.name}"`, { details: 'Use 1 to 64 letters, digits, dots, dashes, underscores or @, starting with a letter or digit (e.g. alice, ci-bot).' })
  }
  if (!ROLES.includes(input.role as ApiTokenRole)) {
    throw new PipewrightError('PW_ERR_USAGE', `Invalid role "${input.role}"`, { details: `Use one of ${ROLES.join(', ')}.` })
  }
  const token = `pw_${randomBytes(32).toString('base64url')}`
  const record: ApiTokenRecord = { name: input.name, role: input.role as ApiTokenRole, hash: hashToken(token), createdAt: input.now ?? Date.now() }
  await store.addApiToken(record)
  return { token, record }
}

/** The token's record, or undefined for a missing, unknown or revoked token. */
export async function authenticate(store: Store, header: string | undefined): Promise<ApiTokenRecord | undefined> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')
  if (!match) return undefined
  return store.findApiToken(hashToken(match[1]!))
}
