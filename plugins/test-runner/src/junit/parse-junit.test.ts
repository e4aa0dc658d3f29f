import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isPipewrightError } from '@pipewright/plugin-api'
import { describe, expect, it } from 'vitest'
import { parseJUnit } from './parse-junit.js'

const reports = fileURLToPath(new URL('../../tests/fixtures/reports/', import.meta.url))
const origin = { kind: 'JUnit XML', producedBy: 'the command "test"' }
const parse = (name: string) => parseJUnit(readFileSync(join(reports, name), 'utf8'), name, origin, '/home/ci/app')

describe('parseJUnit', () => {
  it('reads a pytest report: failures, setup errors, skips and parametrized ids', () => {
    const report = parse('pytest-junit.xml')
    expect(report.durationMs).toBe(412)
    expect(report.suites).toEqual([{ name: 'pytest', tests: 5, failures: 2, skipped: 1, durationMs: 412 }])
    const byName = new Map(report.cases.map((c) => [c.name, c]))
    expect(byName.get('test_login_rejects_bad_password')).toMatchObject({
      id: 'pytest > tests.test_api.TestLogin > test_login_rejects_bad_password',
      status: 'failed',
      // pytest's own line breaks, as `pytest` prints them.
      message: 'AssertionError: assert 200 == 401\n +  where 200 = <Response [200]>.status_code',
      location: { file: 'tests/test_api.py', line: 27 },
      durationMs: 34,
    })
    expect(byName.get('test_migration')).toMatchObject({ status: 'failed', location: { file: 'tests/conftest.py', line: 18 } })
    expect(byName.get('test_migration')?.message).toMatch(/^failed on setup with "ConnectionRefusedError/)
    expect(byName.get('test_rate_limit')?.status).toBe('skipped')
    expect(byName.get('test_slugify[Hello World-hello-world]')?.status).toBe('passed')
  })

  it('reads Surefire reports: the test class frame, flakyFailure, grouped times', () => {
    const cart = parse('surefire-reports/TEST-com.example.CartTest.xml')
    const byName = new Map(cart.cases.map((c) => [c.name, c]))
    expect(byName.get('appliesDiscount')).toMatchObject({
      id: 'com.example.CartTest > appliesDiscount',
      status: 'failed',
      message: 'expected: <90.0> but was: <100.0>',
      location: { file: 'com/example/CartTest.java', line: 42 },
    })
    expect(byName.get('checksOutWithRetry')).toMatchObject({ status: 'passed', flakyInReport: true })
    expect(byName.get('removesItem')?.status).toBe('skipped')
    expect(cart.durationMs).toBe(87)
    const price = parse('surefire-reports/TEST-com.example.PriceTest.xml')
    expect(price.durationMs).toBe(1_204_301)
    expect(price.cases[1]?.durationMs).toBe(1_204_297)
  })

  it('takes the line of a jest-junit failure from the stack frame in the named file', () => {
    const xml = `<testsuites><testsuite name="test/a.test.js"><testcase classname="test/a.test.js" name="a &gt; b" time="0.1" file="test/a.test.js">
      <failure>Error: expect(received).toBe(expected)

Expected: 5
Received: 4
    at Object.toBe (/home/ci/app/test/a.test.js:12:7)
    at run (/home/ci/app/node_modules/jest-circus/build/x.js:1:1)</failure></testcase></testsuite></testsuites>`
    const [c] = parseJUnit(xml, 'j.xml', origin, '/home/ci/app').cases
    expect(c).toMatchObject({ file: 'test/a.test.js', location: { file: 'test/a.test.js', line: 12 }, message: 'expect(received).toBe(expected)\n\nExpected: 5\nReceived: 4' })
  })

  it('gives back the line breaks node:test\'s own junit reporter squashes out of its message attribute', () => {
    // As node 20 writes it: the attribute without line breaks, the body with them.
    const xml = `<testsuites><testsuite name="parse"><testcase name="keeps stars" time="0.001" classname="test" failure="Expected values to be strictly equal:'*' !== 'WRONG'">
      <failure type="testCodeFailure" message="Expected values to be strictly equal:'*' !== 'WRONG'">
Error [ERR_TEST_FAILURE]: Expected values to be strictly equal:

'*' !== 'WRONG'

    at async Promise.all (index 0) {
  code: 'ERR_TEST_FAILURE',
  cause: AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:

      at TestContext.&lt;anonymous> (file:///home/ci/app/test/parse.test.js:7:34)
}</failure></testcase></testsuite></testsuites>`
    const [c] = parseJUnit(xml, 'n.xml', origin, '/home/ci/app').cases
    expect(c).toMatchObject({ id: 'parse > keeps stars', message: "Expected values to be strictly equal:\n\n'*' !== 'WRONG'", location: { file: 'test/parse.test.js', line: 7 } })
  })

  it('reads the file and declared line of every test from the node:test reporter the preset uses', () => {
    const xml = `<testsuites><testsuite name="test/parse.test.js">
      <testcase name="parse &gt; keeps stars" classname="test/parse.test.js" time="0.001" file="test/parse.test.js" line="6"/>
      <testcase name="parse &gt; keeps stars" classname="test/parse.test.js" time="0.001" file="test/parse.test.js" line="7">
        <failure type="testCodeFailure" message="Expected values to be strictly equal:&#10;&#10;'*' !== 'WRONG'&#10;">AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:

'*' !== 'WRONG'

    at TestContext.&lt;anonymous&gt; (file:///home/ci/app/test/parse.test.js:9:34)</failure>
      </testcase></testsuite></testsuites>`
    const [passed, failed] = parseJUnit(xml, 'n.xml', origin, '/home/ci/app').cases
    expect(passed).toMatchObject({ id: 'test/parse.test.js > parse > keeps stars', file: 'test/parse.test.js', line: 6, status: 'passed' })
    // The failing assertion's line (9) is where to look; the declared line (7) tells the namesakes apart.
    expect(failed).toMatchObject({ id: 'test/parse.test.js > parse > keeps stars', line: 7, location: { file: 'test/parse.test.js', line: 9 }, message: "Expected values to be strictly equal:\n\n'*' !== 'WRONG'" })
  })

  it('rejects a truncated report with PW_ERR_INPUT_FILE naming the file and its producer', () => {
    let error: unknown
    try {
      parse('broken-junit.xml')
    } catch (e) {
      error = e
    }
    expect(isPipewrightError(error) && error.code).toBe('PW_ERR_INPUT_FILE')
    expect((error as Error).message).toMatch(/^JUnit XML file broken-junit\.xml \(written by the command "test"\) is malformed: /)
  })

  it('rejects XML that is not JUnit', () => {
    expect(() => parse('coverage-reports/cobertura-coverage.xml')).toThrow(/no <testsuites> or <testsuite> root element/)
  })
})
