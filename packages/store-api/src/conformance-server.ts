import { beforeEach, describe, expect, it } from 'vitest'
import type { Store } from './types.js'

/**
 * The server's part of the store conformance suite: API tokens, claims, leases and recorded actions.
 * Called inside `describeStoreConformance`, after its own `beforeEach` opened the store.
 */
export function describeServerConformance(current: () => Store): void {
  let store: Store
  beforeEach(() => {
    store = current()
  })

  describe('server: tokens, claims, leases, actions', () => {
    it('keeps tokens by hash, one live token per name, and forgets revoked ones', async () => {
      await store.addApiToken({ name: 'alice', role: 'approver', hash: 'h1', createdAt: 1 })
      await expect(store.addApiToken({ name: 'alice', role: 'viewer', hash: 'h2', createdAt: 2 })).rejects.toMatchObject({ code: 'PW_ERR_USAGE' })
      expect(await store.findApiToken('h1')).toEqual({ name: 'alice', role: 'approver', hash: 'h1', createdAt: 1 })
      expect(await store.findApiToken('nope')).toBeUndefined()
      expect(await store.revokeApiToken('alice', 5)).toBe(true)
      expect(await store.revokeApiToken('alice', 6)).toBe(false)
      expect(await store.findApiToken('h1')).toBeUndefined()
      await store.addApiToken({ name: 'alice', role: 'viewer', hash: 'h3', createdAt: 7 })
      expect((await store.listApiTokens()).map((t) => [t.hash, t.revokedAt])).toEqual([['h1', 5], ['h3', undefined]])
    })

    it('grants a claim once per scope and key, and finds the newest by prefix', async () => {
      expect(await store.claimOnce('webhook', 'github:1', 10)).toBe(true)
      expect(await store.claimOnce('webhook', 'github:1', 11)).toBe(false)
      expect(await store.claimOnce('schedule', 'github:1', 11)).toBe(true)
      expect(await store.claimOnce('schedule', 'web:a:100', 100)).toBe(true)
      expect(await store.claimOnce('schedule', 'web:a:200', 200)).toBe(true)
      expect(await store.claimOnce('schedule', 'web:b:300', 300)).toBe(true)
      expect(await store.lastClaim('schedule', 'web:a:')).toEqual({ key: 'web:a:200', at: 200 })
      expect(await store.lastClaim('schedule', 'other:')).toBeUndefined()
    })

    it('grants a lease to one holder until it expires or is released; the holder renews it and keeps acquiredAt', async () => {
      expect(await store.acquireLease('watch', 'production', 'server-a', 1000, 500)).toBe(true)
      expect(await store.acquireLease('watch', 'production', 'server-b', 1200, 500)).toBe(false)
      expect(await store.acquireLease('watch', 'staging', 'server-b', 1200, 500)).toBe(true)
      expect(await store.acquireLease('other', 'production', 'server-b', 1200, 500)).toBe(true)
      expect(await store.acquireLease('watch', 'production', 'server-a', 1400, 500)).toBe(true)
      expect(await store.listLeases('watch', 1450)).toEqual([
        { scope: 'watch', key: 'production', holder: 'server-a', acquiredAt: 1000, expiresAt: 1900 },
        { scope: 'watch', key: 'staging', holder: 'server-b', acquiredAt: 1200, expiresAt: 1700 },
      ])
      // Expired (the holder died without releasing it): another holder takes it over.
      expect(await store.acquireLease('watch', 'production', 'server-b', 1899, 500)).toBe(false)
      expect(await store.acquireLease('watch', 'production', 'server-b', 1900, 500)).toBe(true)
      expect(await store.listLeases('watch', 1900)).toEqual([{ scope: 'watch', key: 'production', holder: 'server-b', acquiredAt: 1900, expiresAt: 2400 }])
      // Released: free at once, and only its holder can release it.
      expect(await store.releaseLease('watch', 'production', 'server-a')).toBe(false)
      expect(await store.releaseLease('watch', 'production', 'server-b')).toBe(true)
      expect(await store.releaseLease('watch', 'production', 'server-b')).toBe(false)
      expect(await store.acquireLease('watch', 'production', 'server-a', 1950, 500)).toBe(true)
      expect((await store.listLeases('watch', 1950)).map((l) => l.holder)).toEqual(['server-a'])
    })

    it('grants a contested lease to exactly one of many holders asking at once', async () => {
      const won = await Promise.all(Array.from({ length: 8 }, (_, i) => store.acquireLease('watch', 'contested', `holder-${i}`, 5000, 1000)))
      expect(won.filter(Boolean)).toHaveLength(1)
      const [lease] = await store.listLeases('watch', 5000)
      expect(lease?.holder).toBe(`holder-${won.indexOf(true)}`)
    })

    it('records actions, newest first', async () => {
      await store.addServerAction({ at: 1, actor: 'bob', role: 'operator', action: 'POST /api/runs', target: 'run-1', status: 202 })
      await store.addServerAction({ at: 2, actor: 'amy', role: 'approver', action: 'POST /api/runs/:id/stages/:stageId/approve', status: 200 })
      expect((await store.listServerActions(10)).map((a) => a.actor)).toEqual(['amy', 'bob'])
      expect((await store.listServerActions(1))).toHaveLength(1)
    })
  })
}
