import type { TestReport } from '../model.js'

const HOW_TO = 'run that harness through test-runner/run with its JUnit reporter (the test-runner README shows tape, mocha and ava)'

/**
 * A warning when the JUnit report was not written by the runner the preset set up, e.g. a
 * `command` that starts another tool which happened to leave a report at that path.
 */
export function producerWarning(report: TestReport, expected: string, runner: string): string | undefined {
  const other = report.producers?.find((p) => p !== expected)
  if (other === undefined) return undefined
  return `The JUnit report was not written by ${runner} (its root is named "${other}", ${runner} names it "${expected}"): check that \`command\` starts ${runner}, or use test-runner/run for another tool.`
}

/** tape and other TAP harnesses end each file with `# tests N`: their own count of assertions. */
function tapAssertions(output: string): number | undefined {
  if (!/^TAP version \d+/m.test(output)) return undefined
  let sum = 0
  for (const match of output.matchAll(/^# tests\s+(\d+)\s*$/gm)) sum += Number(match[1])
  return sum > 0 ? sum : undefined
}

/**
 * node:test counts a file that declares no node:test test (tape, mocha, ava files) as one test
 * named by its path: 8 files of tape assertions become "8 tests". Says so, with what the files'
 * own harness counted when its output tells (TAP), and how to run that harness instead.
 */
export function nodeHarnessWarning(report: TestReport, output: string): string | undefined {
  const wrote = producerWarning(report, 'node:test', 'node:test')
  if (wrote) return wrote
  const fileLevel = report.cases.filter((c) => c.file !== undefined && c.name === c.file)
  if (fileLevel.length === 0) return undefined
  const files = fileLevel.map((c) => c.file!)
  const which =
    fileLevel.length === report.cases.length
      ? `Each of the ${files.length} test file${files.length === 1 ? '' : 's'} ran as a single test`
      : `${files.length} of the test files ran as a single test each (${files.slice(0, 5).join(', ')}${files.length > 5 ? ', …' : ''})`
  const tap = tapAssertions(output)
  // The ReferenceError reaches the message or, printed by the test file's process, the output.
  const undefinedGlobal = /\b(describe|it|test|expect|before|beforeEach|suite) is not defined/
  const globals = fileLevel.some((c) => undefinedGlobal.test(c.message ?? '')) || undefinedGlobal.test(output)
  const why =
    tap !== undefined
      ? `they declare no node:test test and print TAP, as tape does (${tap} assertion${tap === 1 ? '' : 's'} by their own count)`
      : globals
        ? 'they use test globals node:test does not define (`describe is not defined`), as mocha or jest tests do'
        : 'they declare no node:test test'
  return `${which}: ${why}. node:test counts such a file as one test; ${HOW_TO}.`
}
