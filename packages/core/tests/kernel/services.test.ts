import { afterEach, describe, expect, it } from 'vitest'
import { createToken, definePlugin, type AttemptOutcome, type EventName } from '@pipewright/plugin-api'
import { createMemoryStore, STORE, type Store } from '@pipewright/store-api'
import { createEngine } from '../../src/engine/engine.js'
import { EXECUTOR } from '../../src/engine/tokens.js'
import type { StageExecutor, StageJob } from '../../src/exec/executor.js'
import { runFile, tempProject, type TempProject } from '../engine/helpers.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

const VAULT = createToken<{ read(key: string): string }>('test.vault')

const vault = definePlugin({
  id: 'vault',
  apiVersion: 1,
  register(api) {
    api.provide(VAULT, { useValue: { read: (key) => `value of ${key}` } })
  },
})

/** Reads the vault service from a stage; `dependsOn` decides whether it may. */
function reader(id: string, dependsOn?: string[]) {
  return definePlugin({
    id,
    apiVersion: 1,
    ...(dependsOn ? { dependsOn } : {}),
    register(api) {
      api.stage('read', { run: (ctx) => ctx.outputs.set('secret', ctx.resolve(VAULT).read('db')) })
    },
  })
}

describe('encapsulated plugin services', () => {
  it('a service is visible to its plugin and to plugins that depend on it, and refused to others naming both', async () => {
    project = await tempProject(`
name: di
stages:
  allowed: { uses: friend/read }
  denied: { uses: stranger/read }
`)
    const run = await runFile(project.file, {}, { plugins: [vault, reader('friend', ['vault']), reader('stranger')] })
    expect(run.stage('allowed')).toMatchObject({ status: 'succeeded', outputs: { secret: 'value of db' } })
    expect(run.stage('denied')).toMatchObject({
      status: 'failed',
      error: {
        code: 'PW_ERR_SERVICE_NOT_VISIBLE',
        message: 'Plugin stranger resolved test.vault, which plugin vault provides, but stranger does not depend on vault',
        details: expect.stringContaining("Add 'vault' to the dependsOn of plugin stranger"),
        plugin: 'stranger',
      },
    })
  })

  it('refuses a second plugin providing a token another one already provides', async () => {
    const impostor = definePlugin({ id: 'impostor', apiVersion: 1, register: (api) => api.provide(VAULT, { useValue: { read: () => 'forged' } }) })
    const engine = createEngine({ plugins: [vault, impostor] })
    await expect(engine.plugins()).rejects.toMatchObject({ code: 'PW_ERR_PLUGIN_INVALID', message: 'Plugin impostor provides test.vault, which plugin vault already provides' })
  })
})

describe('the engine\'s parts come from its container', () => {
  it('runs every stage through an executor registered under EXECUTOR, and keeps runs in a store registered under STORE', async () => {
    const jobs: StageJob[] = []
    const executor: StageExecutor = {
      async execute(job, io): Promise<AttemptOutcome> {
        jobs.push(job)
        io.log('stdout', `remote worker ran ${job.stageId}`)
        if (job.action.kind === 'run') io.output('where', 'worker-7')
        return { ok: true, exitCode: 0 }
      },
    }
    const inner = createMemoryStore()
    const writes: string[] = []
    const counting = new Proxy(inner, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver)
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          if (/^(create|update|put|append|add|save)/.test(String(name))) writes.push(String(name))
          return (value as (...a: unknown[]) => unknown).apply(target, args)
        }
      },
    }) as Store
    project = await tempProject(`
name: replaced
stages:
  build: { run: "touch must-not-exist" }
  test: { needs: [build], run: "echo \${{ stages.build.outputs.where }}" }
`)
    const engine = createEngine({ services: [{ token: EXECUTOR, useValue: executor }, { token: STORE, useValue: counting }] })
    expect(engine.store).toBe(counting)
    const run = await runFile(project.file, {}, {}, engine)
    expect(run.result.status).toBe('succeeded')
    expect(jobs.map((j) => [j.stageId, j.action.kind])).toEqual([['build', 'run'], ['test', 'run']])
    // The expression value reaches the script through the environment, not as shell text.
    const test = jobs[1]!
    expect(test.action).toMatchObject({ kind: 'run', command: 'echo "${PIPEWRIGHT_EXPR_0}"' })
    expect(test.env.PIPEWRIGHT_EXPR_0).toBe('worker-7')
    const { existsSync } = await import('node:fs')
    expect(existsSync(`${project.dir}/must-not-exist`)).toBe(false)
    expect(run.logs('build')).toContain('remote worker ran build')
    expect(writes).toContain('createRun')
    expect((await inner.getRun(run.result.id))?.status).toBe('succeeded')
  })
})

describe('one writer', () => {
  it('only the recorder writes run records, and every event carries the engine clock\'s time', async () => {
    let now = 1_700_000_000_000
    const clock = { now: () => (now += 7), sleep: async (ms: number) => void (now += ms) }
    const writers = new Set<string>()
    const inner = createMemoryStore()
    const store = new Proxy(inner, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver)
        if (typeof value !== 'function' || !/^(create|update|put|append|add|save)/.test(String(name))) return value
        return (...args: unknown[]) => {
          const caller = (new Error().stack ?? '').split('\n').find((line) => /packages\/core\/src\//.test(line)) ?? 'unknown'
          writers.add(`${String(name)} ← ${/src\/([\w/-]+\.ts)/.exec(caller)?.[1] ?? caller}`)
          return (value as (...a: unknown[]) => unknown).apply(target, args)
        }
      },
    }) as Store
    project = await tempProject(`
name: clocked
stages:
  build: { run: "echo hi > out.txt", artifacts: [out.txt], cache: { inputs: [] } }
  test: { needs: [build], run: "echo tested" }
`)
    const run = await runFile(project.file, {}, { store, clock })
    expect(run.result.status).toBe('succeeded')
    // Run records have one writer, the recorder; the audit trail (its own append-only, hash-chained
    // log, not a run record) has one too, the run's audit listener.
    const runWriters = [...writers].filter((w) => !w.startsWith('appendAudit '))
    for (const w of runWriters) expect(w).toMatch(/ ← record\/recorder\.ts$/)
    expect(runWriters.map((w) => w.split(' ')[0]).sort()).toEqual(['addArtifact', 'appendEvents', 'appendLogs', 'createRun', 'putCache', 'putStage', 'updateRun'])
    expect([...writers].filter((w) => w.startsWith('appendAudit '))).toEqual(['appendAudit ← record/audit.ts'])
    expect((await inner.listAudit()).every((e) => e.at > 1_700_000_000_000 && e.at < 1_700_000_100_000)).toBe(true)
    const events = await inner.getEvents(run.result.id)
    const stamped = events.map((e) => e.at)
    expect(stamped.every((at) => at > 1_700_000_000_000 && at < 1_700_000_100_000)).toBe(true)
    const types = new Set<EventName>(events.map((e) => e.type as EventName))
    for (const type of ['run:started', 'stage:started', 'stage:attempted', 'artifact:stored', 'cache:saved', 'stage:finished', 'run:finished'] as const) expect(types).toContain(type)
    const stored = await inner.getRun(run.result.id)
    expect(stored!.startedAt).toBeGreaterThan(1_700_000_000_000)
    expect(stored!.finishedAt).toBeGreaterThan(stored!.startedAt!)
  })
})
