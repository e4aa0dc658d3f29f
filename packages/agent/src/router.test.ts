import { describe, expect, it } from 'vitest'
import { Router } from './router.js'

function count(router: Router, n: number): Record<string, number> {
  const seen: Record<string, number> = {}
  for (let i = 0; i < n; i++) {
    const id = router.pick() ?? 'none'
    seen[id] = (seen[id] ?? 0) + 1
  }
  return seen
}

describe('Router', () => {
  it('round-robins over the stable set', () => {
    const router = new Router()
    router.set(['a', 'b'])
    expect(count(router, 10)).toEqual({ a: 5, b: 5 })
  })

  it('sends exactly the canary share of every 100 requests to the canary set', () => {
    const router = new Router()
    router.set(['a', 'b'], ['c'], 10)
    expect(count(router, 200)).toEqual({ a: 90, b: 90, c: 20 })
    router.set(['a', 'b'], ['c'], 50)
    expect(count(router, 100)).toEqual({ a: 25, b: 25, c: 50 })
    expect(router.share()).toEqual({ stable: 50, canary: 50 })
  })

  it('skips instances that are down or excluded, and falls back to the other set', () => {
    const router = new Router()
    router.set(['a', 'b'], ['c'], 50)
    router.markDown('a', true)
    expect(count(router, 4)).toEqual({ b: 2, c: 2 })
    router.markDown('c', true)
    expect(count(router, 4)).toEqual({ b: 4 })
    expect(router.pick(new Set(['b']))).toBeUndefined()
  })

  it('has no canary share without canary instances', () => {
    const router = new Router()
    router.set(['a'], [], 30)
    expect(router.share()).toEqual({ stable: 100, canary: 0 })
  })
})
