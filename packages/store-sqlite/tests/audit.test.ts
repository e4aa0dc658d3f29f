import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { verifyAuditChain } from '@pipewright/store-api'
import { describe, expect, it } from 'vitest'
import { createSqliteStore } from '../src/index.js'
import { startFixture, tempDir } from './helpers.js'

describe('audit trail on SQLite', () => {
  it('keeps one unbroken chain when two processes append at the same time', async () => {
    const { dir, cleanup } = await tempDir()
    try {
      const count = 150
      const writers = ['alice', 'bob'].map((actor) => startFixture('audit-writer.ts', [dir, actor, String(count)]))
      await Promise.all(writers.map((writer) => writer.printed('ready')))
      await writeFile(join(dir, 'go'), '')
      const results = await Promise.all(writers.map((writer) => writer.exited))
      for (const result of results) expect(result, result.stderr).toMatchObject({ code: 0, stdout: 'ready\ndone\n' })

      const store = createSqliteStore({ dir })
      try {
        const entries = await store.listAudit()
        expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 2 * count }, (_, i) => i + 1))
        for (const actor of ['alice', 'bob']) {
          expect(entries.filter((e) => e.actor === actor).map((e) => e.data?.n)).toEqual(Array.from({ length: count }, (_, i) => i))
        }
        // Both processes really interleaved (otherwise this test proves nothing about the lock).
        const switches = entries.filter((e, i) => i > 0 && e.actor !== entries[i - 1]!.actor).length
        expect(switches).toBeGreaterThan(1)
        expect(verifyAuditChain(entries, { head: await store.getAuditHead() })).toMatchObject({ ok: true, entries: 2 * count, problems: [] })
      } finally {
        await store.close()
      }
    } finally {
      await cleanup()
    }
  })
})
