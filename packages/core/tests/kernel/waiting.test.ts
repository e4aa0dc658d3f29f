import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { definePlugin, type Clock } from '@pipewright/plugin-api'
import { createMemoryStore } from '@pipewright/store-api'
import { createEngine } from '../../src/engine/engine.js'
import { runFile, tempProject, type TempProject } from '../engine/helpers.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

/** `approval/file`: pending until a file exists in the workspace, then pass. */
const approvalGate = definePlugin({
  id: 'approval',
  apiVersion: 1,
  register(api) {
    api.gate('file', {
      evaluate: (ctx) =>
        existsSync(join(ctx.workspace, 'approved'))
          ? { verdict: 'pass', reason: 'approved by ops' }
          : { verdict: 'pending', reason: '0 of 1 approvals', waitFor: 'approval', recheckMs: 60_000 },
    })
  },
})

/** A clock whose sleeps end at once, moving time forward by their length. */
function autoClock(start = 1_800_000_000_000): Clock & { calls: number } {
  let now = start
  const clock = {
    calls: 0,
    now: () => now,
    sleep: async (ms: number, signal?: AbortSignal) => {
      clock.calls++
      if (signal?.aborted) throw signal.reason
      now += ms
      await new Promise((r) => setImmediate(r))
    },
  }
  return clock
}

const GATED = `
name: gated
stages:
  deploy:
    run: echo deployed >> deploys.txt
    gates: [{ uses: approval/file, name: ops approval }]
  after: { needs: [deploy], run: "true" }
`

describe('waiting stages', () => {
  it('waits durably while a gate is pending, visible in events and the store, and goes on when woken', async () => {
    project = await tempProject(GATED)
    const store = createMemoryStore()
    const engine = createEngine({ store, plugins: [approvalGate] })
    const events: Array<{ type: string; payload: any }> = []
    engine.onAny((type, payload) => events.push({ type, payload }))
    const handle = await engine.run(project.file)
    await until(async () => (await engine.runs.stages(handle.id)).some((s) => s.status === 'waiting'))

    const [deploy] = await engine.runs.stages(handle.id)
    expect(deploy).toMatchObject({ stageId: 'deploy', status: 'waiting', waiting: { reason: 'gate ops approval: 0 of 1 approvals', kind: 'approval', phase: 'verify', hook: 'gates' } })
    expect((await engine.runs.get(handle.id))?.waiting).toBe('deploy: gate ops approval: 0 of 1 approvals')
    expect(events.filter((e) => e.type === 'approval:requested').map((e) => e.payload)).toEqual([expect.objectContaining({ stageId: 'deploy', reason: 'gate ops approval: 0 of 1 approvals' })])

    await writeFile(join(project.dir, 'approved'), '')
    // The gate rechecks every minute; a wake-up makes it look now.
    expect(engine.wake(handle.id)).toBe(1)
    const result = await handle.result
    expect(result.status).toBe('succeeded')
    expect(events.filter((e) => e.type === 'stage:wait-ended').map((e) => e.payload)).toEqual([expect.objectContaining({ stageId: 'deploy', kind: 'approval', outcome: 'continued' })])
    const stages = await engine.runs.stages(handle.id)
    expect(stages.find((s) => s.stageId === 'deploy')).toMatchObject({ status: 'succeeded' })
    expect(stages.find((s) => s.stageId === 'deploy')?.waiting).toBeUndefined()
    expect((await engine.runs.get(handle.id))?.waiting).toBeUndefined()
    // The verdict was published when it changed, not at every check.
    expect(events.filter((e) => e.type === 'gate:evaluated').map((e) => e.payload.verdict)).toEqual(['pending', 'pass'])
  })

  it('fails the stage when the wait outlasts the gate\'s timeout, counting on the engine clock', async () => {
    project = await tempProject(GATED.replace('name: ops approval', 'name: ops approval, timeout: 2h'))
    const clock = autoClock()
    const run = await runFile(project.file, {}, { plugins: [approvalGate], clock })
    expect(run.stage('deploy')).toMatchObject({
      status: 'failed',
      error: { code: 'PW_ERR_WAIT_TIMEOUT', message: 'Stage deploy waited 2h (approval: gate ops approval: 0 of 1 approvals) and gave up' },
    })
    expect(run.stage('after').status).toBe('skipped')
    const waiting = run.of('stage:waiting')[0]!
    expect(waiting.deadline! - waiting.since).toBe(2 * 3600_000)
    expect(run.of('stage:wait-ended')).toEqual([expect.objectContaining({ outcome: 'timed-out', waitedMs: 2 * 3600_000 })])
    // Rechecked every minute (the gate asked for that), not in a busy loop.
    expect(clock.calls).toBe(120)
  })

  it('stops waiting when the run is cancelled', async () => {
    project = await tempProject(GATED)
    const engine = createEngine({ plugins: [approvalGate] })
    const handle = await engine.run(project.file)
    await until(async () => (await engine.runs.stages(handle.id)).some((s) => s.status === 'waiting'))
    await engine.cancel(handle.id, 'no longer needed')
    const result = await handle.result
    expect(result.status).toBe('cancelled')
    expect(result.stages.find((s) => s.id === 'deploy')).toMatchObject({ status: 'cancelled', error: { code: 'PW_ERR_CANCELLED' } })
  })

  it('waits before a stage runs when a prepare hook asks (a lock), and runs it once the hook lets go', async () => {
    let holder: string | undefined = 'run-elsewhere'
    const lock = definePlugin({
      id: 'lock',
      apiVersion: 1,
      register(api) {
        api.hooks({ prepare: (ctx) => (holder && ctx.stageId === 'deploy' ? { wait: { reason: `production locked by ${holder}`, kind: 'lock', recheckMs: 10 } } : undefined) })
      },
    })
    project = await tempProject(GATED.replace('    gates: [{ uses: approval/file, name: ops approval }]\n', ''))
    const engine = createEngine({ plugins: [lock] })
    const handle = await engine.run(project.file)
    await until(async () => (await engine.runs.stages(handle.id)).some((s) => s.status === 'waiting'))
    expect((await engine.runs.stages(handle.id))[0]).toMatchObject({ status: 'waiting', waiting: { kind: 'lock', phase: 'prepare', hook: 'plugin:lock', reason: 'production locked by run-elsewhere' } })
    expect(existsSync(join(project.dir, 'deploys.txt'))).toBe(false)
    holder = undefined
    expect((await handle.result).status).toBe('succeeded')
    expect(existsSync(join(project.dir, 'deploys.txt'))).toBe(true)
  })
})

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}
