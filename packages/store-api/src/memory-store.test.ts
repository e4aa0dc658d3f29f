import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { describeStoreConformance } from './conformance.js'
import { createMemoryStore } from './memory-store.js'

describeStoreConformance('memory', async () => ({ store: createMemoryStore(), cleanup: async () => {} }))

describe('createMemoryStore', () => {
  it('has no artifact directory unless given one, and creates the one it is given', async () => {
    expect(createMemoryStore().artifactDir).toBeUndefined()
    const root = await mkdtemp(join(tmpdir(), 'pw-memory-'))
    try {
      const dir = join(root, 'nested', 'artifacts')
      const store = createMemoryStore({ artifactDir: dir })
      expect(store.artifactDir).toBe(dir)
      expect((await stat(dir)).isDirectory()).toBe(true)
      expect(store.kind).toBe('memory')
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})
