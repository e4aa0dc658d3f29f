import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createEngine, EXECUTOR, type Engine } from '@pipewright/core'
import { createPostgresStore } from '@pipewright/store-postgres'
import { createBullmqExecutor, workersPlugin } from '../src/index.js'
import { POSTGRES_URL, REDIS_URL, cleanupServices, gitProject, startWorker, uniqueName } from './helpers.js'

const SECRET = 'hunter2-fleet-secret'

/** A coordinator (engine + PostgreSQL store + BullMQ executor) and the worker processes of one test. */
async function fleet(labelsOfWorkers: string[][], files: Record<string, string>) {
  const schema = uniqueName('pw_fleet_')
  const queue = uniqueName('fleet')
  const project = await gitProject(files)
  const store = await createPostgresStore({ url: POSTGRES_URL, schema, poolSize: 4 })
  const executor = await createBullmqExecutor({ redisUrl: REDIS_URL, queue, blobs: store.blobs })
  const engine: Engine = createEngine({ store, plugins: [workersPlugin(executor)], services: [{ token: EXECUTOR, useValue: executor }], cwd: project.dir })
  const workers = labelsOfWorkers.map((labels) => ({ labels, ...startWorker({ schema, queue, labels }) }))
  const ids = await Promise.all(workers.map((w) => w.ready))
  const allLabels = [...new Set(labelsOfWorkers.flat().concat(['gpu']))]
  return {
    engine, store, project, ids, workers, file: join(project.dir, 'pipewright.yml'),
    async close() {
      for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM')
      await Promise.all(workers.map((w) => w.exited))
      await engine.close()
      await cleanupServices(schema, queue, allLabels)
      await project.cleanup()
    },
  }
}

let current: Awaited<ReturnType<typeof fleet>> | undefined
afterEach(async () => {
  await current?.close()
  current = undefined
})

const logLines = async (engine: Engine, runId: string, stageId: string) => (await engine.runs.logs(runId, { stageId })).flatMap((l) => l.line.split('\n'))

describe('stages on BullMQ workers', () => {
  it('runs a pipeline on two worker processes, routes a stage by label, streams its logs in order and redacted, and hands artifacts on', async () => {
    current = await fleet([[], ['docker']], {
      'pipewright.yml': `name: fleet
secrets: [TOKEN]
stages:
  build:
    run: mkdir -p dist && echo "app from $(git rev-parse --short HEAD)" > dist/app.txt && echo "version=1.2.3" >> "$PIPEWRIGHT_OUTPUT"
    artifacts: [dist/**]
  package:
    needs: build
    runs-on: [docker]
    env: { TOKEN: "\${{ secrets.TOKEN }}" }
    run: |
      cat "$PIPEWRIGHT_ARTIFACTS_DIR/build/dist/app.txt"
      echo "token is $TOKEN"
      i=1; while [ $i -le 200 ]; do echo "line $i"; i=$((i+1)); done
      echo "image=app:\${{ stages.build.outputs.version }}" >> "$PIPEWRIGHT_OUTPUT"
`,
    })
    const { engine, ids } = current
    const handle = await engine.run(current.file, { secrets: { TOKEN: SECRET } })
    const result = await handle.result
    expect(result.status, JSON.stringify(result.stages)).toBe('succeeded')
    expect(result.stages.find((s) => s.id === 'package')?.outputs).toEqual({ image: 'app:1.2.3' })

    const lines = await logLines(engine, handle.id, 'package')
    // Routed by label: only the worker with `docker` may take it.
    expect(lines[0]).toBe(`running on worker ${ids[1]}`)
    expect(lines[1]).toMatch(/^app from [0-9a-f]{7}$/)
    expect(lines[2]).toBe('token is ***')
    expect(lines.slice(3, 203)).toEqual(Array.from({ length: 200 }, (_, i) => `line ${i + 1}`))
    expect(JSON.stringify(await engine.runs.events(handle.id))).not.toContain(SECRET)
    // The worker's artifacts reached the coordinator (content-addressed in PostgreSQL).
    const artifacts = await engine.runs.artifacts(handle.id)
    expect(artifacts.map((a) => [a.stageId, a.path])).toEqual([['build', 'dist/app.txt']])
    expect(await current.store.blobs.get(artifacts[0]!.digest)).toEqual(Buffer.from(`${lines[1]}\n`))
  }, 400_000)

  it('makes a stage that no worker can take wait, with a reason naming the labels', async () => {
    current = await fleet([[]], {
      'pipewright.yml': 'name: fleet\nstages:\n  train:\n    runs-on: gpu\n    run: echo never\n',
    })
    const handle = await current.engine.run(current.file)
    let waiting: string | undefined
    for (let i = 0; i < 200 && !waiting; i++) {
      waiting = (await current.engine.runs.get(handle.id))?.waiting
      if (!waiting) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(waiting).toMatch(/no worker on queue \S+ has the labels gpu \(connected workers have: \(no labels\)\): start one with `pipewright worker --queue \S+ --labels gpu`/)
    handle.cancel('test over')
    expect((await handle.result).status).toBe('cancelled')
  }, 400_000)
})

describe('a worker killed mid-stage', () => {
  const pipeline = (counter: string, idempotent: boolean) => `name: fleet
env: { COUNTER: "${counter}" }
stages:
  first:
    run: echo first >> "$COUNTER"
  slow:
    needs: first
    idempotent: ${idempotent}
    run: echo slow >> "$COUNTER" && echo "slow started" && sleep 6 && echo "slow done"
`

  async function killWhereSlowRuns(f: Awaited<ReturnType<typeof fleet>>) {
    const handle = await f.engine.run(f.file)
    // Once the command runs (it said so), kill its worker without a chance to clean up.
    const worker = await new Promise<string>((resolve) => {
      let on: string | undefined
      f.engine.on('stage:log', (e) => {
        if (e.runId !== handle.id || e.stageId !== 'slow') return
        on ??= /running on worker (\S+)/.exec(e.line)?.[1]
        if (on && e.line.includes('slow started')) resolve(on)
      })
    })
    const victim = f.workers[f.ids.indexOf(worker)]!
    victim.child.kill('SIGKILL')
    return { handle, worker, result: await handle.result }
  }

  it('is detected: the stage runs again on the other worker, the run completes, finished stages are not re-run', async () => {
    const counter = `/tmp/${uniqueName('pw-counter-')}`
    current = await fleet([[], []], { 'pipewright.yml': pipeline(counter, true) })
    const { handle, worker, result } = await killWhereSlowRuns(current)
    expect(result.status, JSON.stringify(result.stages)).toBe('succeeded')
    expect((await readFile(counter, 'utf8')).split('\n').filter(Boolean).sort()).toEqual(['first', 'slow', 'slow'])
    const lines = await logLines(current.engine, handle.id, 'slow')
    const other = current.ids.find((id) => id !== worker)!
    expect(lines).toContain(`started again on worker ${other}: the worker running it was lost`)
    expect(lines.at(-1)).toBe('slow done')
    await writeFile(counter, '')
  }, 400_000)

  it('stops the run with PW_ERR_WORKER_LOST when the stage is idempotent: false', async () => {
    const counter = `/tmp/${uniqueName('pw-counter-')}`
    current = await fleet([[], []], { 'pipewright.yml': pipeline(counter, false) })
    const { result } = await killWhereSlowRuns(current)
    expect(result.status).toBe('failed')
    const slow = result.stages.find((s) => s.id === 'slow')!
    expect(slow.error).toMatchObject({ code: 'PW_ERR_WORKER_LOST', message: expect.stringContaining('idempotent: false, so it was not started again') })
    expect((await readFile(counter, 'utf8')).split('\n').filter(Boolean).sort()).toEqual(['first', 'slow'])
  }, 400_000)
})
