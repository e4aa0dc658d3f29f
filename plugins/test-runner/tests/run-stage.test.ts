import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { StageDefinition } from '@pipewright/plugin-api'
import { describe, expect, it } from 'vitest'
import plugin, { RESULTS_KIND, type ResultsRecord } from '../src/index.js'
import { createRecordBook, inspectPlugin } from '@pipewright/testing'
import { testStage, type TestStageOptions } from './helpers/context.js'
import { copyFixture, fixturesDir } from './helpers/fixtures.js'

const stage = (await inspectPlugin(plugin)).stages.run as StageDefinition<unknown>
const reports = join(fixturesDir, 'reports')

function runStage(config: Record<string, unknown>, options: TestStageOptions) {
  const ctx = testStage(options)
  const done = Promise.resolve().then(() => stage.run(ctx, stage.configSchema!.parse(config)))
  return { ctx, done, error: done.then(() => undefined, (e: unknown) => e as Error & { code?: string }) }
}

// pytest is a Python tool: its real run is skipped, with a note in the test report, where it is not installed.
const pytestMissing = spawnSync('python3', ['-m', 'pytest', '--version'], { stdio: 'ignore' }).status !== 0

const emptyDir = () => mkdtempSync(join(tmpdir(), 'pw-run-'))
// node --test with its junit reporter, as a user would write it in `command:` (a shell string).
const nodeTest = `mkdir -p reports && ${JSON.stringify(process.execPath)} --test --test-reporter=junit --test-reporter-destination=reports/junit.xml`

describe('test-runner/run', () => {
  it('reads Surefire reports through a glob and fails on the failing test', async () => {
    const workspace = emptyDir()
    const { ctx, error } = runStage(
      { command: `mkdir -p target/surefire-reports && cp ${JSON.stringify(reports)}/surefire-reports/*.xml target/surefire-reports/`, junit: 'target/surefire-reports/TEST-*.xml' },
      { workspace },
    )
    const e = await error
    expect(e?.code).toBe('PW_ERR_STAGE_FAILED')
    expect(e?.message).toBe('Stage test: 1 of 6 tests failed: com.example.CartTest > appliesDiscount (com/example/CartTest.java:42)')
    expect(ctx.captured.outputs).toMatchObject({ total: '6', passed: '3', failed: '1', skipped: '1', flaky: '1', duration: String(87 + 1_204_301) })
    expect(ctx.captured.summary).toMatch(/FLAKY com\.example\.CartTest > checksOutWithRetry .*first time flaky/)
  })

  it('reads a pytest report and coverage in Cobertura XML', async () => {
    const workspace = emptyDir()
    const { ctx, error } = runStage(
      { command: `cp ${JSON.stringify(reports)}/pytest-junit.xml report.xml && cp ${JSON.stringify(reports)}/coverage-reports/cobertura-coverage.xml coverage.xml`, junit: 'report.xml', coverage: 'coverage.xml' },
      { workspace },
    )
    expect((await error)?.message).toMatch(/2 of 5 tests failed: .*test_login_rejects_bad_password \(tests\/test_api\.py:27\); .*test_migration \(tests\/conftest\.py:18\)$/)
    expect(ctx.captured.outputs).toMatchObject({ 'coverage-lines': '75', 'coverage-branches': '25', 'coverage-functions': '50' })
    const record = await ctx.records.get<ResultsRecord>(RESULTS_KIND)
    expect(record?.coverage).toEqual({ lines: 75, branches: 25, functions: 50, file: 'coverage.xml', format: 'cobertura', files: { counted: ['src/cart.js'], excluded: [], exclude: [] } })
  })

  it('reads the report of a real pytest run', async ({ skip }) => {
    skip(pytestMissing, 'python3 -m pytest is not available on this machine')
    const workspace = emptyDir()
    cpSync(join(fixturesDir, 'pytest-project'), workspace, { recursive: true })
    const command = ['python3', '-m', 'pytest', '-p', 'no:cacheprovider', '--junitxml=reports/junit.xml']
    const { ctx, error } = runStage({ command, junit: 'reports/junit.xml' }, { workspace })
    const e = await error
    expect(e?.code).toBe('PW_ERR_STAGE_FAILED')
    expect(e?.message).toBe('Stage test: 1 of 3 tests failed: pytest > test_cart > test_applies_discount (test_cart.py:13)')
    expect(ctx.captured.outputs).toMatchObject({ total: '3', passed: '1', failed: '1', skipped: '1', flaky: '0' })
    const record = await ctx.records.get<ResultsRecord>(RESULTS_KIND)
    expect(record?.failures[0]?.message).toMatch(/assert 30 == 27/)
  })

  it('does not take a coverage file left over from an earlier run for this run\'s', async () => {
    const workspace = emptyDir()
    writeFileSync(join(workspace, 'coverage.xml'), readFileSync(join(reports, 'coverage-reports', 'cobertura-coverage.xml')))
    writeFileSync(join(workspace, 'tpl.xml'), '<testsuite name="s"><testcase name="t" time="0.1"/></testsuite>')
    const { ctx, error } = runStage({ command: 'cp tpl.xml junit.xml', junit: 'junit.xml', coverage: 'coverage.xml' }, { workspace })
    const e = await error
    expect(e?.code).toBe('PW_ERR_INPUT_FILE')
    expect(e?.message).toBe('Stage test: Coverage file coverage.xml was not rewritten by the command "cp tpl.xml junit.xml" (it exited 0); the file there is left over from an earlier run')
    expect(ctx.captured.outputs['coverage-lines']).toBeUndefined()
  })

  it('re-runs the whole command for a generic runner and reports the flaky test', async () => {
    const workspace = copyFixture('node-flaky')
    const { ctx, done } = runStage({ command: nodeTest, junit: 'reports/junit.xml', 'rerun-failed': 1 }, { workspace })
    await done
    expect(ctx.captured.outputs).toMatchObject({ total: '2', failed: '0', flaky: '1' })
    expect(readFileSync(join(workspace, '.stable-runs'), 'utf8').trim().split('\n')).toHaveLength(2)
    expect(ctx.captured.log()).toMatch(/re-running the whole command \(attempt 2 of 2\)/)
  })

  it('remembers flaky tests across runs and says how often they flaked before', async () => {
    const store = createRecordBook()
    for (let run = 1; run <= 3; run++) {
      const { ctx, done } = runStage({ command: nodeTest, junit: 'reports/junit.xml', 'rerun-failed': 1 }, { workspace: copyFixture('node-flaky'), records: store, runId: `run-${run}`, stageId: 'unit' })
      await done
      store.finishRun(`run-${run}`, 'succeeded')
      if (run === 3) expect(ctx.captured.summary).toMatch(/FLAKY eventually connects \(test\/flaky\.test\.js:\d+\): flaked 2 times in the previous 2 recorded runs/)
    }
    expect(store.records.filter((e) => e.kind === RESULTS_KIND)).toHaveLength(3)
  })

  it('fails with PW_ERR_INPUT_FILE when the command writes no JUnit file', async () => {
    const e = await runStage({ command: 'echo no tests here', junit: 'out/junit.xml' }, { workspace: emptyDir() }).error
    expect(e?.code).toBe('PW_ERR_INPUT_FILE')
    expect(e?.message).toBe('Stage test: JUnit XML file out/junit.xml does not exist: it should have been written by the command "echo no tests here", which exited 0')
  })

  it('does not take a report left over from an earlier run for this run\'s result', async () => {
    const workspace = emptyDir()
    writeFileSync(join(workspace, 'junit.xml'), readFileSync(join(reports, 'pytest-junit.xml')))
    const e = await runStage({ command: ['false'], junit: 'junit.xml' }, { workspace }).error
    expect(e?.code).toBe('PW_ERR_INPUT_FILE')
    expect(e?.message).toMatch(/junit\.xml was not rewritten by the command "false" \(it exited with code 1\); the file there is left over/)
  })

  it('fails with PW_ERR_INPUT_FILE on a truncated report and on a missing coverage file', async () => {
    const broken = await runStage({ command: `cp ${JSON.stringify(reports)}/broken-junit.xml j.xml`, junit: 'j.xml' }, { workspace: emptyDir() }).error
    expect(broken).toMatchObject({ code: 'PW_ERR_INPUT_FILE', message: expect.stringMatching(/^JUnit XML file j\.xml \(written by the command "cp .*"\) is malformed/) })
    const workspace = copyFixture('node-passing')
    const noCoverage = await runStage({ command: nodeTest, junit: 'reports/junit.xml', coverage: 'coverage/lcov.info' }, { workspace }).error
    expect(noCoverage).toMatchObject({ code: 'PW_ERR_INPUT_FILE', message: expect.stringMatching(/^Coverage file coverage\/lcov\.info does not exist: it should have been written by the command "mkdir/) })
  })

  it('fails when the command fails although no test did', async () => {
    const workspace = emptyDir()
    mkdirSync(join(workspace, 'in'))
    writeFileSync(join(workspace, 'in', 'ok.xml'), '<testsuite name="s"><testcase name="t" time="0.1"/></testsuite>')
    const e = await runStage({ command: 'cp in/ok.xml ok.xml; exit 3', junit: 'ok.xml' }, { workspace }).error
    expect(e).toMatchObject({ code: 'PW_ERR_STAGE_FAILED', message: 'Stage test: the command "cp in/ok.xml ok.xml; exit 3" exited with code 3 although its JUnit report has no failing test' })
  })

  it('keeps secret values out of the stored failures and the summary', async () => {
    const workspace = emptyDir()
    writeFileSync(join(workspace, 'tpl.xml'), '<testsuite name="s"><testcase name="login" classname="auth"><failure message="token s3cr3t-T0KEN was rejected"/></testcase></testsuite>')
    const { ctx, error } = runStage({ command: 'cp tpl.xml out.xml', junit: 'out.xml' }, { workspace, secrets: { API_TOKEN: 's3cr3t-T0KEN' } })
    expect((await error)?.code).toBe('PW_ERR_STAGE_FAILED')
    const record = await ctx.records.get<ResultsRecord>(RESULTS_KIND)
    expect(record?.failures[0]?.message).toBe('token *** was rejected')
    expect(ctx.captured.summary).not.toContain('s3cr3t')
  })

  it('rejects a config without junit', () => {
    const result = stage.configSchema!.safeParse({ command: 'npm test', 'rerun-failed': 99 })
    expect(result.success).toBe(false)
    expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['junit', 'rerun-failed'])
  })
})
