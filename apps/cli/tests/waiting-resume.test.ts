import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { runCli, startCli, useTempProjects } from './helpers/cli.js'

// A local plugin without imports (the temp project has no node_modules): the object definePlugin
// would return, branded by hand. Its gate waits for an `approved` file, rechecking every 100 ms.
const APPROVAL_PLUGIN = `
export default Object.freeze({
  id: 'approval',
  apiVersion: 1,
  [Symbol.for('pipewright.plugin')]: true,
  register(api) {
    api.gate('file', {
      async evaluate(ctx) {
        const { existsSync } = await import('node:fs')
        return existsSync(ctx.workspace + '/approved')
          ? { verdict: 'pass', reason: 'approved' }
          : { verdict: 'pending', reason: 'waiting for an approved file', waitFor: 'approval', recheckMs: 100 }
      },
    })
  },
})
`

const PIPELINE = `name: approvals
plugins: [./approval.mjs]
stages:
  deploy:
    run: echo deployed >> deploys.txt
    gates: [{ uses: approval/file, name: release manager, timeout: 1h }]
  announce: { needs: [deploy], run: echo announced }
`

interface Shown {
  run: { status: string; waiting?: string }
  stages: Array<{ stageId: string; status: string; waiting?: { reason: string; since: number; deadline?: number; phase: string } }>
}

describe('a waiting run', () => {
  const project = useTempProjects()

  it('survives a kill -9 of its process: show says it waited, --resume waits on with the same deadline and never re-runs the stage', async () => {
    const dir = await project({ 'pipewright.yml': PIPELINE, 'approval.mjs': APPROVAL_PLUGIN })
    const show = async (id: string) => JSON.parse((await runCli(['show', id, '--json'], { cwd: dir })).stdout) as Shown
    const first = startCli(['run'], { cwd: dir, detached: true })
    const runId = (await first.waitFor(/^run (\S+) · approvals/m))[1]!
    await first.waitFor(/waiting: gate release manager: waiting for an approved file/)
    let before: Shown | undefined
    for (let i = 0; i < 100; i++) {
      before = await show(runId)
      if (before.stages[0]?.status === 'waiting') break
      await sleep(100)
    }
    expect(before!.stages[0]).toMatchObject({ status: 'waiting', waiting: { reason: 'gate release manager: waiting for an approved file', phase: 'verify' } })
    expect(before!.run.waiting).toBe('deploy: gate release manager: waiting for an approved file')

    first.child.kill('SIGKILL')
    await first.done
    const table = await runCli(['show', runId], { cwd: dir })
    expect(table.stdout).toMatch(/interrupted/)
    expect(table.stdout).toMatch(/waiting gate release manager: waiting for an approved file \(approval, since/)

    const resumed = startCli(['run', '--resume', runId], { cwd: dir })
    await resumed.waitFor(/resuming the wait of an interrupted run/)
    const during = await show(runId)
    expect(during.run.status).toBe('running')
    expect(during.stages[0]?.waiting?.since).toBe(before!.stages[0]!.waiting!.since)
    expect(during.stages[0]?.waiting?.deadline).toBe(before!.stages[0]!.waiting!.deadline)

    await writeFile(join(dir, 'approved'), '')
    const done = await resumed.done
    expect(done.code).toBe(0)
    expect((await show(runId)).stages.map((s) => [s.stageId, s.status])).toEqual([['deploy', 'succeeded'], ['announce', 'succeeded']])
    expect((await readFile(join(dir, 'deploys.txt'), 'utf8')).trim().split('\n')).toEqual(['deployed'])
  })
})
