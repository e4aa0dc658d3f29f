import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { computeCacheKey, type CacheKeyInput } from './cache-key.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pw-cache-'))
  await writeFile(join(dir, 'a.txt'), 'one')
  await writeFile(join(dir, 'b.txt'), 'two')
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const base = (): CacheKeyInput => ({ action: { run: 'build' }, env: { A: '1', B: '2' }, workspace: dir, inputs: ['*.txt'], needsOutputs: { x: { v: '1' } } })

describe('computeCacheKey', () => {
  it('is stable, whatever the order of env keys', async () => {
    const key = await computeCacheKey(base())
    expect(key).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(await computeCacheKey({ ...base(), env: { B: '2', A: '1' } })).toBe(key)
  })

  it('changes with the action, the env, the needs outputs, the extra key and input file contents', async () => {
    const key = await computeCacheKey(base())
    const variants = [
      { ...base(), action: { run: 'build --prod' } },
      { ...base(), env: { A: '1', B: '3' } },
      { ...base(), needsOutputs: { x: { v: '2' } } },
      { ...base(), extra: 'v2' },
    ]
    for (const v of variants) expect(await computeCacheKey(v)).not.toBe(key)
    await writeFile(join(dir, 'b.txt'), 'changed')
    expect(await computeCacheKey(base())).not.toBe(key)
  })
})
