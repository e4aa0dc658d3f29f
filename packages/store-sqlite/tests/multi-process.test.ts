import { describe, expect, it } from 'vitest'
import { createSqliteStore } from '../src/index.js'
import { startFixture, tempDir } from './helpers.js'

describe('several processes on one database', () => {
  it('keeps every write of two processes writing at the same time', async () => {
    const { dir, cleanup } = await tempDir()
    try {
      const stages = 100
      const writers = ['run-a', 'run-b'].map((runId) => startFixture('writer.ts', [dir, runId, String(stages), 'finish']))
      const results = await Promise.all(writers.map((writer) => writer.exited))
      for (const result of results) expect(result, result.stderr).toMatchObject({ code: 0, stdout: 'done\n' })

      const store = createSqliteStore({ dir })
      try {
        expect((await store.listRuns({ pipeline: 'multi' })).map((run) => run.id).sort()).toEqual(['run-a', 'run-b'])
        for (const runId of ['run-a', 'run-b']) {
          expect((await store.getRun(runId))?.status).toBe('succeeded')
          const stored = await store.getStages(runId)
          expect(stored).toHaveLength(stages)
          expect(stored.every((stage) => stage.status === 'succeeded')).toBe(true)
          expect(stored.map((stage) => stage.outputs.n)).toEqual(Array.from({ length: stages }, (_, i) => String(i)))
          expect(await store.getEvents(runId)).toHaveLength(stages)
          const logs = await store.getLogs(runId)
          expect(logs.map((line) => line.seq)).toEqual(Array.from({ length: stages * 5 }, (_, i) => i))
          expect(logs.every((line) => line.line.startsWith(`${runId} `))).toBe(true)
          expect(await store.getState(`last:${runId}`)).toBe(stages - 1)
        }
      } finally {
        await store.close()
      }
    } finally {
      await cleanup()
    }
  })

  it('keeps what a process flushed before it was killed with SIGKILL', async () => {
    const { dir, cleanup } = await tempDir()
    try {
      const writer = startFixture('writer.ts', [dir, 'run-killed', '25', 'hang'])
      await writer.printed('flushed')
      writer.child.kill('SIGKILL')
      expect((await writer.exited).signal).toBe('SIGKILL')

      const store = createSqliteStore({ dir })
      try {
        const run = await store.getRun('run-killed')
        expect(run).toMatchObject({ status: 'succeeded', pipeline: 'multi', pid: writer.child.pid })
        expect(run?.finishedAt).toEqual(expect.any(Number))
        const stages = await store.getStages('run-killed')
        expect(stages.map((stage) => [stage.stageId, stage.status])).toEqual(Array.from({ length: 25 }, (_, i) => [`s${i}`, 'succeeded']))
        const logs = await store.getLogs('run-killed', { stageId: 's24' })
        expect(logs.map((line) => line.line)).toEqual([0, 1, 2, 3, 4].map((n) => `run-killed s24 line ${n}`))
        expect(await store.getLogs('run-killed')).toHaveLength(125)
      } finally {
        await store.close()
      }
    } finally {
      await cleanup()
    }
  })
})
