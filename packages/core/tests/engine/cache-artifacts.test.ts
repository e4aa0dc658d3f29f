import { readFile, rm, writeFile } from 'node:fs/promises'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createEngine } from '../../src/engine/engine.js'
import { createMemoryStore } from '@pipewright/store-api'
import { runFile, tempProject, type TempProject } from './helpers.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

const PIPELINE = `
name: cached
env: { MODE: fast }
stages:
  build:
    run: 'echo built >> runs.log; mkdir -p out; cat src/input.txt > out/result.txt; echo "size=$(wc -c < src/input.txt | tr -d " ")" >> "$PIPEWRIGHT_OUTPUT"'
    cache: { inputs: ["src/**"], env: [LEVEL] }
    artifacts: [out/**]
  use:
    needs: [build]
    run: 'cat "$PIPEWRIGHT_ARTIFACTS_DIR/build/out/result.txt"; echo; echo "size \${{ stages.build.outputs.size }}"'
`

describe('cache and artifacts', () => {
  it('skips a cached stage on an identical re-run and restores its outputs and artifacts', async () => {
    project = await tempProject(PIPELINE, { 'src/input.txt': 'hello' })
    const artifactDir = await mkdtemp(join(tmpdir(), 'pw-art-'))
    const store = createMemoryStore({ artifactDir })
    const engine = createEngine({ store })
    const first = await runFile(project.file, {}, {}, engine)
    expect(first.stage('build').status).toBe('succeeded')
    expect(first.logs('use')).toEqual(['hello', 'size 5'])
    expect(first.events.filter((e) => e.type === 'artifact:stored')).toHaveLength(1)

    await rm(join(project.dir, 'out'), { recursive: true })
    const second = await runFile(project.file, {}, {}, engine)
    expect(second.stage('build')).toMatchObject({ status: 'cached', outputs: { size: '5' } })
    expect(await readFile(join(project.dir, 'out/result.txt'), 'utf8')).toBe('hello')
    expect(second.logs('use')).toEqual(['hello', 'size 5'])
    expect((await readFile(join(project.dir, 'runs.log'), 'utf8')).trim().split('\n')).toHaveLength(1)

    await writeFile(join(project.dir, 'src/input.txt'), 'changed!')
    const third = await runFile(project.file, {}, {}, engine)
    expect(third.stage('build').status).toBe('succeeded')
    expect(third.stage('build').outputs.size).toBe('8')

    const fourth = await runFile(project.file, { noCache: true }, {}, engine)
    expect(fourth.stage('build').status).toBe('succeeded')
    const fifth = await runFile(project.file, {}, { env: { ...process.env, LEVEL: "2" } }, createEngine({ store, env: { ...process.env, LEVEL: "2" } }))
    expect(fifth.stage('build').status).toBe('succeeded')
    await rm(artifactDir, { recursive: true, force: true })
  })

  it('refuses artifact paths that leave the workspace', async () => {
    project = await tempProject(`
name: escape
stages:
  sneaky: { run: 'ln -s /etc leak', artifacts: ['leak/passwd'] }
  dotdot: { run: 'true', artifacts: ['../outside'] }
`)
    const { stage } = await runFile(project.file)
    expect(stage('sneaky').status).toBe('failed')
    expect(stage('sneaky').error?.code).toBe('PW_ERR_PATH_ESCAPE')
    expect(stage('dotdot').error?.code).toBe('PW_ERR_PATH_ESCAPE')
  })
})

describe('cache keys', () => {
  it('keep matrix instances, resolved commands and vars apart: a failure is never reported as cached', async () => {
    project = await tempProject(`
name: cache-keys
stages:
  t:
    matrix: { n: [1, 2] }
    cache: {}
    run: 'echo "v=\${{ matrix.n }}" >> "$PIPEWRIGHT_OUTPUT"; test "\${{ matrix.n }}" != 1 || test "\${{ vars.fix }}" = yes'
  u:
    cache: {}
    run: 'echo "x=\${{ vars.x }}" >> "$PIPEWRIGHT_OUTPUT"'
`)
    const engine = createEngine({ store: createMemoryStore() })
    const first = await runFile(project.file, { vars: { x: 'a' } }, {}, engine)
    expect(first.stage('t[n=1]').status).toBe('failed')
    expect(first.stage('t[n=2]')).toMatchObject({ status: 'succeeded', outputs: { v: '2' } })

    const second = await runFile(project.file, { vars: { x: 'a' } }, {}, engine)
    expect(second.stage('t[n=1]').status).toBe('failed')
    expect(second.stage('t[n=2]')).toMatchObject({ status: 'cached', outputs: { v: '2' } })
    expect(second.stage('u')).toMatchObject({ status: 'cached', outputs: { x: 'a' } })

    const third = await runFile(project.file, { vars: { x: 'b', fix: 'yes' } }, {}, engine)
    expect(third.stage('t[n=1]')).toMatchObject({ status: 'succeeded', outputs: { v: '1' } })
    expect(third.stage('u')).toMatchObject({ status: 'succeeded', outputs: { x: 'b' } })
  })
})
