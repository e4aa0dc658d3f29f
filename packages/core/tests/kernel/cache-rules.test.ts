import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { definePlugin, z } from '@pipewright/plugin-api'
import { createMemoryStore } from '@pipewright/store-api'
import { createEngine } from '../../src/engine/engine.js'
import { runFile, tempProject, type TempProject } from '../engine/helpers.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

const statuses = (run: Awaited<ReturnType<typeof runFile>>) => Object.fromEntries(run.result.stages.map((s) => [s.id, s.status]))

describe('what keys a stage\'s cache', () => {
  it('a volatile output of a need the stage does not read never busts it; an output it reads does', async () => {
    project = await tempProject(`
name: keys
stages:
  test:
    run: 'echo "duration=$(date +%s%N)" >> "$PIPEWRIGHT_OUTPUT"; echo "version=$(cat version)" >> "$PIPEWRIGHT_OUTPUT"'
  build:
    needs: [test]
    run: echo building
    cache: { inputs: [src.txt] }
  package:
    needs: [test]
    run: 'echo "packaging \${{ stages.test.outputs.version }}"'
    cache: { inputs: [] }
`, { version: '1.0.0', 'src.txt': 'a' })
    const engine = createEngine({ store: createMemoryStore() })
    const first = await runFile(project.file, {}, {}, engine)
    expect(statuses(first)).toEqual({ test: 'succeeded', build: 'succeeded', package: 'succeeded' })
    const second = await runFile(project.file, {}, {}, engine)
    expect(first.stage('test').outputs.duration).not.toBe(second.stage('test').outputs.duration)
    expect(statuses(second)).toEqual({ test: 'succeeded', build: 'cached', package: 'cached' })
    await writeFile(join(project.dir, 'version'), '1.0.1')
    const third = await runFile(project.file, {}, {}, engine)
    expect(statuses(third)).toEqual({ test: 'succeeded', build: 'cached', package: 'succeeded' })
    await writeFile(join(project.dir, 'src.txt'), 'b')
    expect(statuses(await runFile(project.file, {}, {}, engine))).toEqual({ test: 'succeeded', build: 'succeeded', package: 'cached' })
  })

  it('the artifacts of its needs key it: the stage can read them', async () => {
    project = await tempProject(`
name: artifacts
stages:
  compile: { run: 'cp input.txt out.txt', artifacts: [out.txt] }
  ship: { needs: [compile], run: 'cat "$PIPEWRIGHT_ARTIFACTS_DIR/compile/out.txt"', cache: { inputs: [] } }
`, { 'input.txt': 'v1' })
    const engine = createEngine({ store: createMemoryStore() })
    await runFile(project.file, {}, {}, engine)
    expect(statuses(await runFile(project.file, {}, {}, engine)).ship).toBe('cached')
    await writeFile(join(project.dir, 'input.txt'), 'v2')
    const changed = await runFile(project.file, {}, {}, engine)
    expect(changed.stage('ship').status).toBe('succeeded')
    expect(changed.logs('ship')).toContain('v2')
  })

  it('a plugin stage\'s key covers the plugin\'s version: a new release never serves an old result', async () => {
    const release = (version: string) =>
      definePlugin({ id: 'gen', apiVersion: 1, version, register: (api) => api.stage('make', { run: (ctx) => ctx.outputs.set('by', version) }) })
    project = await tempProject(`
name: plugin-version
stages:
  make: { uses: gen/make, cache: { inputs: [] } }
`)
    const store = createMemoryStore()
    const v1 = await runFile(project.file, {}, { store, plugins: [release('1.0.0')] })
    const v1again = await runFile(project.file, {}, { store, plugins: [release('1.0.0')] })
    const v2 = await runFile(project.file, {}, { store, plugins: [release('2.0.0')] })
    expect([v1, v1again, v2].map((r) => [r.stage('make').status, r.stage('make').outputs.by])).toEqual([['succeeded', '1.0.0'], ['cached', '1.0.0'], ['succeeded', '2.0.0']])
  })

  it('a changed gate (or gate config) misses the cache, so a tightened gate judges again', async () => {
    const judge = definePlugin({
      id: 'judge',
      apiVersion: 1,
      register: (api) => api.gate('max', { configSchema: z.object({ max: z.number() }), evaluate: (_ctx, c) => ({ verdict: 3 <= c.max ? 'pass' : 'fail', reason: `3 ≤ ${c.max}?` }) }),
    })
    const pipeline = (max: number) => `name: gated\nstages:\n  t: { run: "true", cache: { inputs: [] }, gates: [{ uses: judge/max, with: { max: ${max} } }] }\n`
    project = await tempProject(pipeline(5))
    const engine = createEngine({ store: createMemoryStore(), plugins: [judge] })
    await runFile(project.file, {}, {}, engine)
    expect((await runFile(project.file, {}, {}, engine)).stage('t').status).toBe('cached')
    await writeFile(project.file, pipeline(2))
    const tightened = await runFile(project.file, {}, {}, engine)
    expect(tightened.stage('t')).toMatchObject({ status: 'failed', error: { code: 'PW_ERR_GATE_FAILED' } })
  })

  it('replays a cached stage\'s summary and gate verdicts', async () => {
    const reporter = definePlugin({
      id: 'rep',
      apiVersion: 1,
      register(api) {
        api.stage('tests', {
          async run(ctx) {
            ctx.summary('12 tests passed')
            await ctx.records.save('rep.results', { passed: 12 })
          },
        })
        api.gate('ok', { evaluate: () => ({ verdict: 'pass', reason: '12 of 12 passed', evidence: { passed: 12 } }) })
      },
    })
    project = await tempProject('name: replay\nstages:\n  t: { uses: rep/tests, cache: { inputs: [] }, gates: [{ uses: rep/ok }] }\n')
    const engine = createEngine({ store: createMemoryStore(), plugins: [reporter] })
    const first = await runFile(project.file, {}, {}, engine)
    const second = await runFile(project.file, {}, {}, engine)
    expect(second.stage('t')).toMatchObject({ status: 'cached', summary: '12 tests passed' })
    expect(second.of('gate:evaluated')).toEqual([expect.objectContaining({ gate: 'rep/ok', verdict: 'pass', reason: `12 of 12 passed (cached, from run ${first.result.id})`, evidence: { passed: 12 } })])
    const [stage] = await engine.runs.stages(second.result.id)
    expect(stage).toMatchObject({ status: 'cached', summary: '12 tests passed', gates: [expect.objectContaining({ verdict: 'pass' })] })
    // Its records come along, so history-based gates see no hole where the cache served.
    const records = await engine.store.findRecords({ pipeline: 'replay', kind: 'rep.results', runId: second.result.id })
    expect(records.map((r) => r.data)).toEqual([{ passed: 12 }])
  })
})
