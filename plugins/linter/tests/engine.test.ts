import { cp, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { createEngine, type Engine } from '@pipewright/core'
import { formatProblem } from '@pipewright/plugin-api'
import { afterEach, describe, expect, it } from 'vitest'
import linter from '../src/index.js'
import { FIXTURES, makeScratchProject } from './helpers/paths.js'

/** Real engine, real memory store, real eslint on a copy of the fixture project. */
const cleanups: Array<() => Promise<void>> = []
const engines: Engine[] = []
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()))
  await Promise.all(cleanups.splice(0).map((c) => c()))
})

async function project(): Promise<string> {
  const scratch = await makeScratchProject()
  cleanups.push(scratch.cleanup)
  await cp(path.join(FIXTURES, 'eslint-project'), scratch.dir, { recursive: true })
  return scratch.dir
}

function pipeline(gateWith: string): string {
  return ['name: lint-demo', 'stages:', '  lint:', '    uses: linter/eslint', '    with: { paths: src }', '    gates:', '      - uses: linter/max-issues', `        with: ${gateWith}`, ''].join('\n')
}

async function run(engine: Engine, file: string) {
  const handle = await engine.run(file)
  const result = await handle.result
  const stage = (await engine.store.getStages(result.id)).find((s) => s.stageId === 'lint')
  return { result, stage }
}

describe('linter plugin on the real engine', () => {
  it('runs linter/eslint and fails the stage through linter/max-issues with evidence', async () => {
    const dir = await project()
    await writeFile(path.join(dir, 'pipewright.yml'), pipeline('{ errors: 0 }'))
    const engine = createEngine({ plugins: [linter] })
    engines.push(engine)
    const { result, stage } = await run(engine, path.join(dir, 'pipewright.yml'))
    expect(result.status).toBe('failed')
    expect(stage?.outputs).toMatchObject({ errors: '2', warnings: '1' })
    expect(stage?.gates?.[0]).toMatchObject({ verdict: 'fail', reason: '2 errors exceed the limit of 0.' })
    expect((stage?.gates?.[0]?.evidence as { problems: Array<{ rule: string }> }).problems.map((p) => p.rule)).toEqual(['no-unused-vars', 'no-undef'])
  })

  it('with new-only, passes until a run adds a problem the last successful run did not have', async () => {
    const dir = await project()
    const file = path.join(dir, 'pipewright.yml')
    const engine = createEngine({ plugins: [linter] })
    engines.push(engine)

    await writeFile(file, pipeline('{ errors: 5 }'))
    const first = await run(engine, file)
    expect(first.result.status).toBe('succeeded')
    expect(first.stage?.summary).toContain('eslint: 2 errors, 1 warning in 1 file')

    await writeFile(file, pipeline("{ errors: 0, 'new-only': true }"))
    // Shift every line down: the problems move but are not new.
    const greet = path.join(dir, 'src', 'greet.js')
    await writeFile(greet, `\n\n${await readFile(greet, 'utf8')}`)
    const moved = await run(engine, file)
    expect(moved.result.status).toBe('succeeded')
    expect(moved.stage?.gates?.[0]).toMatchObject({ verdict: 'pass', evidence: { errors: 0, totals: { errors: 2 } } })

    await writeFile(path.join(dir, 'src', 'more.js'), 'export const value = alsoMissing\n')
    const added = await run(engine, file)
    expect(added.result.status).toBe('failed')
    expect(added.stage?.gates?.[0]).toMatchObject({ verdict: 'fail', reason: '1 new error exceeds the limit of 0.' })
    expect(added.stage?.gates?.[0]?.evidence).toMatchObject({ problems: [{ file: 'src/more.js', line: 1, rule: 'no-undef' }] })
  })

  it('reports an invalid matcher pattern before anything runs, naming the field', async () => {
    const dir = await project()
    const file = path.join(dir, 'pipewright.yml')
    await writeFile(file, ['name: bad', 'stages:', '  lint:', '    uses: linter/run', '    with:', '      command: "true"', "      pattern: '(?<msg>.+'", ''].join('\n'))
    const engine = createEngine({ plugins: [linter] })
    engines.push(engine)
    const error = await engine.load(file).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PW_ERR_CONFIG_INVALID' })
    const problems = (error as { problems: Array<{ path: string; message: string }> }).problems
    expect(problems).toHaveLength(1)
    expect(problems[0]?.path).toBe('stages.lint.with.pattern')
    expect(problems[0]?.message).toMatch(/Invalid regular expression/)
  })

  it('validate reports linter/max-issues on a run: stage, before anything runs', async () => {
    const dir = await project()
    const file = path.join(dir, 'pipewright.yml')
    await writeFile(file, ['name: lint-demo', 'stages:', '  lint:', '    run: npx eslint src', '    gates:', '      - uses: linter/max-issues', '        with: { errors: 0 }', ''].join('\n'))
    const engine = createEngine({ plugins: [linter] })
    engines.push(engine)
    const problems = await engine.validate(file)
    expect(problems.map(formatProblem)).toEqual([
      `${file}:6:9 stages.lint.gates.0.uses: gate linter/max-issues reads linter.problems, which stage \`lint\` (run:) does not write; use it on a linter/* stage (linter/eslint, linter/sarif or linter/run)`,
    ])
  })
})
