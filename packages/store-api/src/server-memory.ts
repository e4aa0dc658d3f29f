import { PipewrightError } from '@pipewright/plugin-api'
import type { ApiTokenRecord, LeaseRecord, ServerActionRecord, ServerStore } from './types.js'

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T

/** The memory store's server tables: tokens, one-time claims, leases and recorded actions. */
export function memoryServerStore(open: () => void): ServerStore {
  const tokens: ApiTokenRecord[] = []
  const claims = new Map<string, { key: string; at: number; order: number }>()
  const actions: ServerActionRecord[] = []
  const leases = new Map<string, LeaseRecord>()
  let order = 0
  return {
    async addApiToken(token) {
      open()
      if (tokens.some((t) => t.name === token.name && t.revokedAt === undefined)) {
        throw new PipewrightError('PW_ERR_USAGE', `A token named ${token.name} already exists`, { details: `Revoke it first (pipewright token revoke ${token.name}) or choose another name.` })
      }
      tokens.push(clone(token))
    },
    async findApiToken(hash) {
      open()
      const found = tokens.find((t) => t.hash === hash && t.revokedAt === undefined)
      return found && clone(found)
    },
    async listApiTokens() {
      open()
      return clone(tokens)
    },
    async revokeApiToken(name, at) {
      open()
      const found = tokens.find((t) => t.name === name && t.revokedAt === undefined)
      if (found) found.revokedAt = at
      return found !== undefined
    },
    async claimOnce(scope, key, at) {
      open()
      const id = `${scope}\0${key}`
      if (claims.has(id)) return false
      claims.set(id, { key, at, order: order++ })
      return true
    },
    async lastClaim(scope, prefix) {
      open()
      const found = [...claims.entries()].filter(([id]) => id.startsWith(`${scope}\0${prefix}`)).map(([, c]) => c)
      const last = found.sort((a, b) => b.at - a.at || b.order - a.order)[0]
      return last && { key: last.key, at: last.at }
    },
    async acquireLease(scope, key, holder, now, ttlMs) {
      open()
      const id = `${scope}\0${key}`
      const lease = leases.get(id)
      if (lease && lease.holder !== holder && lease.expiresAt > now) return false
      leases.set(id, { scope, key, holder, acquiredAt: lease?.holder === holder ? lease.acquiredAt : now, expiresAt: now + ttlMs })
      return true
    },
    async releaseLease(scope, key, holder) {
      open()
      const id = `${scope}\0${key}`
      if (leases.get(id)?.holder !== holder) return false
      leases.delete(id)
      return true
    },
    async listLeases(scope, now) {
      open()
      return clone([...leases.values()].filter((l) => l.scope === scope && l.expiresAt > now).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)))
    },
    async addServerAction(action) {
      open()
      actions.push(clone(action))
    },
    async listServerActions(limit = 100) {
      open()
      return clone(actions.slice(-limit).reverse())
    },
  }
}
