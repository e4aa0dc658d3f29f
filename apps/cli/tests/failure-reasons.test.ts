import { describe, expect, it } from 'vitest'
import { runCli, useTempProjects } from './helpers/cli.js'

// Three ways to fail: a command's exit code, a timeout, and a test-runner stage (node's own test
// runner on a real failing test) whose summary names the failing test and where it is.
const PIPELINE = `name: why
stages:
  lint:
    run: echo "checking"; exit 3
  slow:
    run: sleep 5
    timeout: 300ms
  unit:
    uses: test-runner/node
    with:
      args: [math.test.mjs]
`
const TESTS = `import test from 'node:test'
import assert from 'node:assert'
test('adds', () => assert.equal(1 + 1, 3))
test('subtracts', () => assert.equal(2 - 1, 1))
`

const project = useTempProjects()

interface JsonStage {
  id: string
  status: string
  error?: { code: string; message: string; details?: string }
  summary?: string
}

describe('why a run failed', () => {
  it('the closing summary, show and run --json give each failed stage its error message and summary', async () => {
    const dir = await project({ 'pipewright.yml': PIPELINE, 'math.test.mjs': TESTS })
    const r = await runCli(['run'], { cwd: dir })
    expect(r.code).toBe(1)
    const summary = r.stdout.slice(r.stdout.indexOf('✗ why failed in'))
    expect(summary).toMatch(/^ {2}✗ lint exit 3\n {6}Stage lint exited with code 3$/m)
    expect(summary).toMatch(/^ {2}✗ slow timed out after 300ms\n {6}Stage slow timed out after 300ms$/m)
    expect(summary).toMatch(/^ {2}✗ unit PW_ERR_STAGE_FAILED: .*1 of 2 tests failed/m)
    expect(summary).toMatch(/^ {6}│ .*FAILED math\.test\.mjs > adds \(math\.test\.mjs:3\)/m)
    // The event line of a timeout says so, not just the exit code of the killed process.
    expect(r.stdout).toMatch(/^✗ slow timed out after 300ms \(\d+\.\d+s\)$/m)

    const runId = /^run (\S+) · details/m.exec(summary)![1]!
    const show = await runCli(['show', runId], { cwd: dir })
    expect(show.code).toBe(0)
    expect(show.stdout).toMatch(/^✗ lint exit 3 · .*\n {4}Stage lint exited with code 3$/m)
    expect(show.stdout).toMatch(/^✗ slow timed out after 300ms/m)
    expect(show.stdout).toMatch(/^ {4}│ .*FAILED math\.test\.mjs > adds \(math\.test\.mjs:3\)/m)

    const json = await runCli(['run', '--json'], { cwd: dir })
    const stages = (JSON.parse(json.stdout) as { stages: JsonStage[] }).stages
    const byId = Object.fromEntries(stages.map((s) => [s.id, s]))
    expect(byId.lint?.error).toMatchObject({ code: 'PW_ERR_STAGE_FAILED', message: 'Stage lint exited with code 3' })
    expect(byId.slow?.error).toMatchObject({ code: 'PW_ERR_TIMEOUT', message: 'Stage slow timed out after 300ms' })
    expect(byId.unit?.error?.message).toContain('1 of 2 tests failed')
    expect(byId.unit?.summary).toMatch(/FAILED math\.test\.mjs > adds \(math\.test\.mjs:3\)/)
  })
})
