import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createEngine } from '@pipewright/core'
import { formatProblem } from '@pipewright/plugin-api'
import { describe, expect, it } from 'vitest'
import testRunnerPlugin, { RESULTS_KIND } from '../src/index.js'
import { copyFixture } from './helpers/fixtures.js'

// Real pipelines through the real engine (in-memory store), running real vitest / jest / node:test.
function pipeline(dir: string, yaml: string): string {
  const file = join(dir, 'pipewright.yml')
  writeFileSync(file, yaml)
  return file
}

describe('test-runner through the engine', () => {
  it('runs the vitest preset with result and coverage gates', async () => {
    const dir = copyFixture('vitest-passing')
    const engine = createEngine({ plugins: [testRunnerPlugin] })
    try {
      const file = pipeline(dir, `
name: unit
stages:
  unit:
    uses: test-runner/vitest
    with: { coverage: true }
    gates:
      - uses: test-runner/results
        with: { max-failures: 0 }
      - uses: test-runner/coverage
        with: { functions: 100, lines: 50 }
  report:
    needs: unit
    run: echo "passed=\${{ stages.unit.outputs.passed }} lines=\${{ stages.unit.outputs['coverage-lines'] }}"
`)
      const result = await (await engine.run(file)).result
      expect(result.status).toBe('succeeded')
      const unit = result.stages.find((s) => s.id === 'unit')
      expect(unit?.outputs).toMatchObject({ total: '3', passed: '2', skipped: '1', failed: '0', 'coverage-functions': '100' })
      expect(result.stages.find((s) => s.id === 'report')?.status).toBe('succeeded')
    } finally {
      await engine.close()
    }
  })

  it('fails a jest stage with the failing test in the error', async () => {
    const dir = copyFixture('jest-failing')
    const engine = createEngine({ plugins: [testRunnerPlugin] })
    try {
      const result = await (await engine.run(pipeline(dir, 'name: unit\nstages:\n  unit:\n    uses: test-runner/jest\n'))).result
      expect(result.status).toBe('failed')
      const unit = result.stages.find((s) => s.id === 'unit')
      expect(unit?.error?.code).toBe('PW_ERR_STAGE_FAILED')
      expect(unit?.error?.message).toMatch(/1 of 3 tests failed: test\/math\.test\.js > math > adds wrongly \(test\/math\.test\.js:\d+\)/)
      expect(unit?.outputs).toMatchObject({ failed: '1', total: '3' })
    } finally {
      await engine.close()
    }
  })

  it('keeps flaky history in the store across runs of a pipeline', async () => {
    const engine = createEngine({ plugins: [testRunnerPlugin] })
    try {
      for (let run = 1; run <= 2; run++) {
        const dir = copyFixture('node-flaky')
        const result = await (await engine.run(pipeline(dir, "name: flaky\nstages:\n  unit:\n    uses: test-runner/node\n    with: { rerun-failed: 1 }\n"))).result
        expect(result.status).toBe('succeeded')
        expect(result.stages[0]?.outputs.flaky).toBe('1')
      }
      const records = await engine.store.findRecords({ pipeline: 'flaky', kind: RESULTS_KIND, limit: 10 })
      expect(records).toHaveLength(2)
      expect((records[0]?.data as { flakyTests: Array<{ id: string }> }).flakyTests[0]?.id).toMatch(/eventually connects/)
    } finally {
      await engine.close()
    }
  })
})

describe('test-runner/results gate through the engine', () => {
  it('lets known failures through but stops a new one (no-new-failures)', async () => {
    const engine = createEngine({ plugins: [testRunnerPlugin] })
    const yaml = `
name: legacy
stages:
  unit:
    uses: test-runner/jest
    with: { fail-on-failures: false }
    gates:
      - uses: test-runner/results
        with: { max-failures: 5, no-new-failures: true }
`
    try {
      const first = await (await engine.run(pipeline(copyFixture('jest-failing'), yaml))).result
      expect(first.status).toBe('succeeded')
      const dir = copyFixture('jest-failing')
      writeFileSync(join(dir, 'test', 'strings.test.js'), "test('upper-cases', () => expect('a'.toUpperCase()).toBe('B'))\n")
      const second = await (await engine.run(pipeline(dir, yaml))).result
      expect(second.status).toBe('failed')
      expect(second.stages[0]?.error).toMatchObject({
        code: 'PW_ERR_GATE_FAILED',
        message: expect.stringContaining(`"test/strings.test.js > upper-cases" (test/strings.test.js:1) fails now but did not in run ${first.id}`),
      })
    } finally {
      await engine.close()
    }
  })
})

describe('validation of test-runner gates', () => {
  it('reports a results or coverage gate on a run: stage with line:column, and accepts it on a preset', async () => {
    const dir = copyFixture('node-passing')
    const engine = createEngine({ plugins: [testRunnerPlugin] })
    try {
      const file = pipeline(dir, `name: unit
stages:
  unit:
    run: node --test
    gates:
      - uses: test-runner/results
      - uses: test-runner/coverage
        with: { lines: 80 }
  ok:
    uses: test-runner/node
    gates:
      - uses: test-runner/results
`)
      const problems = (await engine.validate(file)).map(formatProblem)
      const hint = 'use it on a test-runner/* stage (test-runner/run, test-runner/vitest, test-runner/jest or test-runner/node)'
      expect(problems).toEqual([
        `${file}:6:9 stages.unit.gates.0.uses: gate test-runner/results reads test-runner.results, which stage \`unit\` (run:) does not write; ${hint}`,
        `${file}:7:9 stages.unit.gates.1.uses: gate test-runner/coverage reads test-runner.results, which stage \`unit\` (run:) does not write; ${hint}`,
      ])
    } finally {
      await engine.close()
    }
  })
})
