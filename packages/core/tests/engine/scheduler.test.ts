import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { isRunning, runFile, tempProject, type TempProject } from './helpers.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

describe('scheduler', () => {
  it('runs a DAG in dependency order and passes outputs between stages', async () => {
    project = await tempProject(`
name: dag
stages:
  a:
    run: |
      echo "a" >> order.txt
      echo "greeting=hello" >> "$PIPEWRIGHT_OUTPUT"
      printf 'notes<<EOF\\nline one\\nline two\\nEOF\\n' >> "$PIPEWRIGHT_OUTPUT"
  b: { needs: [a], run: 'echo "b \${{ stages.a.outputs.greeting }}" >> order.txt' }
  c: { needs: [a], run: 'echo "c" >> order.txt' }
  d:
    needs: [b, c]
    env: { NOTES: "\${{ stages.a.outputs.notes }}" }
    run: 'echo "d $NOTES" | tr "\\n" "|" >> order.txt'
`)
    const { result, stage } = await runFile(project.file)
    expect(result.status).toBe('succeeded')
    expect(stage('a').outputs).toEqual({ greeting: 'hello', notes: 'line one\nline two' })
    const order = (await readFile(join(project.dir, 'order.txt'), 'utf8')).split('\n')
    expect(order[0]).toBe('a')
    expect(order.slice(1, 3).sort()).toEqual(['b hello', 'c'])
    expect(order[3]).toBe('d line one|line two|')
  })

  it('runs independent stages in parallel up to the concurrency limit', async () => {
    const stages = Array.from({ length: 6 }, (_, i) => `  s${i}: { run: 'mkdir -p running && touch running/s${i} && ls running | wc -l >> peaks.txt && sleep 0.3 && rm running/s${i}' }`).join('\n')
    project = await tempProject(`name: par\nconcurrency: 3\nstages:\n${stages}\n`)
    const { result } = await runFile(project.file)
    expect(result.status).toBe('succeeded')
    const peaks = (await readFile(join(project.dir, 'peaks.txt'), 'utf8')).trim().split('\n').map(Number)
    expect(Math.max(...peaks)).toBeGreaterThan(1)
    expect(Math.max(...peaks)).toBeLessThanOrEqual(3)
  })

  it('runs many stages at once without a listener-leak warning on the run signal', async () => {
    const warnings: string[] = []
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`)
    process.on('warning', onWarning)
    try {
      const stages = Array.from({ length: 16 }, (_, i) => `  s${i}: { run: 'sleep 0.2' }`).join('\n')
      project = await tempProject(`name: wide\nconcurrency: 16\nstages:\n${stages}\n`)
      const { result } = await runFile(project.file)
      expect(result.status).toBe('succeeded')
      await new Promise((resolve) => setImmediate(resolve))
      expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([])
    } finally {
      process.off('warning', onWarning)
    }
  })

  it('skips dependents of a failed stage while independent branches finish', async () => {
    project = await tempProject(`
name: fail
stages:
  broken: { run: 'echo oops >&2; exit 3' }
  after: { needs: [broken], run: 'echo never' }
  independent: { run: 'sleep 0.2; echo fine' }
  report: { needs: [broken], if: '\${{ failure() }}', run: 'echo reporting' }
  tolerant: { run: 'exit 1', continue-on-error: true }
  afterTolerant: { needs: [tolerant], run: 'echo still runs' }
`)
    const { result, stage, logs } = await runFile(project.file)
    expect(result.status).toBe('failed')
    expect(stage('broken')).toMatchObject({ status: 'failed', exitCode: 3, attempts: 1 })
    expect(stage('after').status).toBe('skipped')
    expect(stage('independent').status).toBe('succeeded')
    expect(stage('report').status).toBe('succeeded')
    expect(logs('report')).toContain('reporting')
    expect(logs('broken')).toContain('oops')
    expect(stage('tolerant').status).toBe('failed')
    expect(stage('afterTolerant').status).toBe('succeeded')
  })

  it('fail-fast cancels everything at the first failure', async () => {
    project = await tempProject(`
name: ff
fail-fast: true
stages:
  quick: { run: 'sleep 0.2; exit 1' }
  slow: { run: 'sleep 20' }
  later: { needs: [slow], run: 'echo never' }
`)
    const { result, stage } = await runFile(project.file)
    expect(result.status).toBe('failed')
    expect(stage('quick').status).toBe('failed')
    expect(stage('slow').status).toBe('cancelled')
    expect(stage('later').status).toBe('cancelled')
    expect(result.durationMs).toBeLessThan(15_000)
  })

  it('expands a matrix into instances and waits for all of them', async () => {
    project = await tempProject(`
name: matrix
stages:
  test:
    matrix: { node: [18, 20], os: [linux] }
    run: 'echo "v=\${{ matrix.node }}-\${{ matrix.os }}" >> "$PIPEWRIGHT_OUTPUT"'
  after: { needs: [test], run: 'echo done' }
`)
    const { result } = await runFile(project.file)
    expect(result.stages.map((s) => s.id)).toEqual(['test[node=18,os=linux]', 'test[node=20,os=linux]', 'after'])
    expect(result.stages.find((s) => s.id === 'test[node=20,os=linux]')?.outputs).toEqual({ v: '20-linux' })
    expect(result.status).toBe('succeeded')
  })

  it('retries failures with backoff and records attempts', async () => {
    project = await tempProject(`
name: retry
stages:
  flaky:
    retry: { max: 2, backoff: 10ms }
    run: 'n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; [ $n -ge 2 ]'
  hopeless: { retry: 1, run: 'exit 4' }
  picky:
    retry: { max: 3, on: [7] }
    run: 'exit 5'
`)
    const { result, stage, events } = await runFile(project.file)
    expect(stage('flaky')).toMatchObject({ status: 'succeeded', attempts: 2 })
    expect(stage('hopeless')).toMatchObject({ status: 'failed', attempts: 2, exitCode: 4 })
    expect(stage('picky')).toMatchObject({ status: 'failed', attempts: 1 })
    expect(events.filter((e) => e.type === 'stage:retrying')).toHaveLength(2)
    expect(result.status).toBe('failed')
  })

  it('waits backoff × factor^(n-1) between attempts, on the engine clock', async () => {
    project = await tempProject(`
name: backoff
stages:
  flaky: { retry: { max: 3, backoff: 2s, factor: 3 }, run: 'exit 1' }
`)
    const { createEngine } = await import('../../src/engine/engine.js')
    const slept: number[] = []
    // A recording clock: the test takes no 26 s, and proves the delays the engine asked for.
    const clock = { now: () => Date.now(), sleep: async (ms: number) => void slept.push(ms) }
    const { stage } = await runFile(project.file, {}, {}, createEngine({ clock }))
    expect(stage('flaky')).toMatchObject({ status: 'failed', attempts: 4 })
    expect(slept).toEqual([2000, 6000, 18000])
  })

  it('times out a stage and kills its whole process tree', async () => {
    project = await tempProject(`
name: timeout
stages:
  slow:
    timeout: 300ms
    run: 'sh -c "sleep 30; echo late > late.txt" & echo $! > child.pid; wait'
`)
    const { stage } = await runFile(project.file)
    expect(stage('slow').status).toBe('failed')
    expect(stage('slow').error?.code).toBe('PW_ERR_TIMEOUT')
    const pid = Number(await readFile(join(project.dir, 'child.pid'), 'utf8'))
    await new Promise((r) => setTimeout(r, 200))
    expect(isRunning(pid)).toBe(false)
  })

  it('cancellation kills running stages and marks the rest cancelled', async () => {
    project = await tempProject(`
name: cancel
stages:
  long: { run: 'sleep 30 & echo $! > bg.pid; wait' }
  next: { needs: [long], run: 'echo never' }
  cleanup: { needs: [long], if: '\${{ always() }}', run: 'echo cleaned' }
`)
    const { createEngine } = await import('../../src/engine/engine.js')
    const engine = createEngine()
    const handle = await engine.run(project.file)
    engine.on('stage:started', () => setTimeout(() => handle.cancel(), 300))
    const result = await handle.result
    expect(result.status).toBe('cancelled')
    expect(result.stages.find((s) => s.id === 'long')).toMatchObject({ status: 'cancelled', error: { code: 'PW_ERR_CANCELLED' } })
    expect(result.stages.find((s) => s.id === 'next')?.status).toBe('cancelled')
    expect(result.stages.find((s) => s.id === 'cleanup')?.status).toBe('succeeded')
    const pid = Number(await readFile(join(project.dir, 'bg.pid'), 'utf8'))
    await new Promise((r) => setTimeout(r, 200))
    expect(isRunning(pid)).toBe(false)
  })

  it('force-kills a stage that ignores SIGTERM after the grace period', async () => {
    project = await tempProject(`
name: stubborn
stages:
  stubborn: { run: "trap '' TERM; echo $$ > sh.pid; sleep 30; sleep 30" }
`)
    const { createEngine } = await import('../../src/engine/engine.js')
    const engine = createEngine()
    const handle = await engine.run(project.file)
    engine.on('stage:started', () => setTimeout(() => handle.cancel(), 300))
    const result = await handle.result
    expect(result.stages[0]?.status).toBe('cancelled')
    const pid = Number(await readFile(join(project.dir, 'sh.pid'), 'utf8'))
    expect(isRunning(pid)).toBe(false)
  })

  it('evaluates if: expressions against outputs, env and vars', async () => {
    project = await tempProject(`
name: conditions
env: { TARGET: prod }
stages:
  detect: { run: 'echo "changed=false" >> "$PIPEWRIGHT_OUTPUT"' }
  deploy: { needs: [detect], if: "stages.detect.outputs.changed == 'true'", run: 'echo deploying' }
  notify: { needs: [detect], if: "env.TARGET == 'prod' && vars.channel == 'ops'", run: 'echo notify' }
`)
    const { stage } = await runFile(project.file, { vars: { channel: 'ops' } })
    expect(stage('deploy').status).toBe('skipped')
    expect(stage('notify').status).toBe('succeeded')
  })

  it('never runs expression values as shell code', async () => {
    project = await tempProject(`
name: injection
stages:
  greet: { run: 'echo "hello \${{ vars.name }}"; echo \${{ vars.name }} > name.txt' }
`)
    const hostile = '$(touch injected.txt)`touch backticks.txt`; touch semicolon.txt'
    const { stage, logs } = await runFile(project.file, { vars: { name: hostile } })
    expect(stage('greet').status).toBe('succeeded')
    expect(logs('greet')).toEqual([`hello ${hostile}`])
    expect(await readFile(join(project.dir, 'name.txt'), 'utf8')).toBe(`${hostile}\n`)
    for (const f of ['injected.txt', 'backticks.txt', 'semicolon.txt']) await expect(readFile(join(project.dir, f))).rejects.toThrow()
  })

  it('runs argv commands without a shell and honours working-directory', async () => {
    project = await tempProject(`
name: argv
stages:
  list:
    working-directory: sub
    run: [node, -e, "console.log(process.cwd().endsWith('sub') ? 'in-sub' : 'elsewhere', process.argv.length)", "a b; echo injected"]
`, { 'sub/.keep': '' })
    const { stage, logs } = await runFile(project.file)
    expect(stage('list').status).toBe('succeeded')
    expect(logs('list')).toEqual(['in-sub 2'])
  })
})

describe('--only and --from', () => {
  it('give stages outside the selection the outputs of their last success, and warn when there is none', async () => {
    project = await tempProject(`
name: partial
stages:
  build: { run: 'echo "tag=v$(cat version)" >> "$PIPEWRIGHT_OUTPUT"' }
  deploy: { needs: [build], run: 'echo "deploying [\${{ stages.build.outputs.tag }}]"' }
`)
    const { writeFile } = await import('node:fs/promises')
    const { createEngine } = await import('../../src/engine/engine.js')
    const { createMemoryStore } = await import('@pipewright/store-api')
    const engine = createEngine({ store: createMemoryStore() })
    const alone = await runFile(project.file, { only: ['deploy'] }, {}, engine)
    expect(alone.logs('deploy')).toEqual([expect.stringContaining('warning: needs build, which this run does not include and no earlier run finished'), 'deploying []'])

    await writeFile(join(project.dir, 'version'), '7')
    const full = await runFile(project.file, {}, {}, engine)
    expect(full.stage('build').outputs.tag).toBe('v7')
    await writeFile(join(project.dir, 'version'), '8')
    const again = await runFile(project.file, { only: ['deploy'] }, {}, engine)
    expect(again.result.stages.map((s) => s.id)).toEqual(['deploy'])
    expect(again.logs('deploy')).toEqual([`needs build, which this run does not include: using the outputs of its last success (run ${full.result.id})`, 'deploying [v7]'])
    // The plan the run stored says where those outputs came from: a resume never plans again.
    const stored = await engine.runs.get(again.result.id)
    expect(stored?.plan.external).toEqual([{ id: 'build', fromRunId: full.result.id, outputs: { tag: 'v7' } }])
  })

  it('give a selected stage the outputs of the needs of its needs too, which its expressions may read', async () => {
    project = await tempProject(`
name: transitive
stages:
  version: { run: 'echo "v=1.2.3" >> "$PIPEWRIGHT_OUTPUT"' }
  test: { needs: [version], run: 'true' }
  build: { needs: [test], run: 'echo "building [\${{ stages.version.outputs.v }}]"' }
`)
    const { createEngine } = await import('../../src/engine/engine.js')
    const { createMemoryStore } = await import('@pipewright/store-api')
    const engine = createEngine({ store: createMemoryStore() })
    const full = await runFile(project.file, {}, {}, engine)
    expect(full.logs('build')).toEqual(['building [1.2.3]'])
    const alone = await runFile(project.file, { only: ['build'] }, {}, engine)
    expect(alone.result.stages.map((s) => s.id)).toEqual(['build'])
    expect(alone.logs('build')).toEqual([`needs test, which this run does not include: using the outputs of its last success (run ${full.result.id})`, 'building [1.2.3]'])
  })
})
