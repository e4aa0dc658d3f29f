import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { malformed, type FileOrigin } from '../input-file.js'
import type { TestCase, TestReport, TestSuite } from '../model.js'
import { findLocation, isWorkspaceFile, normalizeFile } from './location.js'

type XmlNode = Record<string, unknown>

const ARRAY_TAGS = new Set(['testsuite', 'testcase', 'failure', 'error', 'skipped', 'flakyFailure', 'flakyError', 'rerunFailure', 'rerunError'])

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  alwaysCreateTextNode: true,
  // pytest writes newlines in attributes as &#10;: numeric references must be decoded too.
  htmlEntities: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (tagName) => ARRAY_TAGS.has(tagName),
})

// A class name that is really a file (vitest, jest with the preset's settings).
const PATH_LIKE = /[\\/]|\.(c|m)?[jt]sx?$/

/**
 * Parses a JUnit XML report as written by vitest, jest-junit, node:test, pytest and Maven
 * Surefire. `workspace` makes file paths in it relative; `origin` names the file in errors.
 */
export function parseJUnit(xml: string, file: string, origin: FileOrigin, workspace: string): TestReport {
  const valid = XMLValidator.validate(xml)
  if (valid !== true) throw malformed(file, origin, `${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`)
  const doc = parser.parse(xml) as XmlNode
  const root = (doc.testsuites as XmlNode | undefined) ?? (doc.testsuite ? { testsuite: doc.testsuite } : undefined)
  if (root === undefined || typeof root !== 'object') throw malformed(file, origin, 'no <testsuites> or <testsuite> root element')

  const report: TestReport = { suites: [], cases: [], durationMs: 0 }
  const producer = str(root['@_name'])
  if (producer) report.producers = [producer]
  const ctx = { workspace, report }
  const rootCases = asArray(root.testcase).map((tc) => parseCase(tc, [], ctx.workspace))
  if (rootCases.length > 0) addSuite(report, '(root)', rootCases, sumMs(rootCases))
  for (const suite of asArray(root.testsuite)) walkSuite(suite, [], ctx)

  const rootTime = seconds(root['@_time'])
  report.durationMs = rootTime ?? report.suites.reduce((sum, s) => sum + s.durationMs, 0)
  return report
}

function walkSuite(node: XmlNode, path: string[], ctx: { workspace: string; report: TestReport }): void {
  const name = str(node['@_name'])
  const here = name ? [...path, name] : path
  // mocha-junit-reporter names the file on the suite only.
  const suiteFile = str(node['@_file'])
  const cases = asArray(node.testcase).map((tc) => parseCase(tc, here, ctx.workspace, suiteFile))
  const nested = asArray(node.testsuite)
  if (cases.length > 0 || nested.length === 0) addSuite(ctx.report, here.join(' > ') || '(unnamed)', cases, seconds(node['@_time']) ?? sumMs(cases))
  for (const child of nested) walkSuite(child, here, ctx)
}

function addSuite(report: TestReport, name: string, cases: TestCase[], durationMs: number): void {
  report.cases.push(...cases)
  report.suites.push({
    name,
    tests: cases.length,
    failures: cases.filter((c) => c.status === 'failed').length,
    skipped: cases.filter((c) => c.status === 'skipped').length,
    durationMs,
  } satisfies TestSuite)
}

function parseCase(node: XmlNode, suitePath: string[], workspace: string, suiteFile?: string): TestCase {
  // jest-junit's "{classname} > {title}" leaves a bare separator in front of tests outside a describe.
  let name = str(node['@_name'])?.replace(/^\s*>\s*/, '') ?? '(unnamed)'
  // node:test writes classname="test" for every case: it carries no information.
  const rawClass = str(node['@_classname'])
  let classname = rawClass === 'test' ? undefined : rawClass
  // mocha-junit-reporter: name is the full title ("math adds"), classname the test's own title.
  const suite = suitePath.at(-1)
  if (classname && suite && name === `${suite} ${classname}`) {
    name = classname
    classname = undefined
  }
  const problems = [...asArray(node.failure), ...asArray(node.error)]
  const nodeFailure = str(node['@_failure'])
  const failed = problems.length > 0 || nodeFailure !== undefined
  const skipped = !failed && node.skipped !== undefined
  const body = problems.map(text).join('\n')

  const attrFile = str(node['@_file']) ?? suiteFile
  const attrLine = Number(str(node['@_line']))
  const found = failed ? findLocation(body, workspace, classname) : undefined
  let location = found
  if (attrFile) {
    // The failing line in the test's own file (the assertion) says more than the line the test is
    // declared at; jest-junit names the file but no line at all.
    const line = found?.file === normalizeFile(attrFile, workspace) ? found.line : attrLine > 0 ? attrLine : undefined
    location = { file: normalizeFile(attrFile, workspace), ...(line ? { line } : {}) }
  }
  const file = attrFile ? normalizeFile(attrFile, workspace) : classname && PATH_LIKE.test(classname) ? classname : location && isWorkspaceFile(location.file) && !location.file.endsWith('.java') ? location.file : undefined

  const testCase: TestCase = {
    id: dedupe([...suitePath, ...(classname ? [classname] : []), name]).join(' > '),
    name,
    status: failed ? 'failed' : skipped ? 'skipped' : 'passed',
    durationMs: seconds(node['@_time']) ?? 0,
  }
  if (classname) testCase.classname = classname
  if (file) testCase.file = file
  if (attrLine > 0) testCase.line = attrLine
  if (failed) {
    const attr = str((problems[0] as XmlNode | undefined)?.['@_message']) ?? nodeFailure
    const message = failureText(attr, body) ?? str((problems[0] as XmlNode | undefined)?.['@_type'])
    if (message) testCase.message = message
    if (failed && location) testCase.location = location
  }
  const flakes = [...asArray(node.flakyFailure), ...asArray(node.flakyError)]
  if (!failed && flakes.length > 0) {
    // Surefire passed this test on its own retry; keep what the failed try said.
    testCase.flakyInReport = true
    const message = str(flakes[0]!['@_message'])
    if (message) testCase.message = readable(message)
    const trace = flakes.map((f) => text(f) + text((f.stackTrace as XmlNode | undefined) ?? {})).join('\n')
    const where = findLocation(trace, workspace, classname)
    if (where) testCase.location = where
  }
  return testCase
}

function asArray(value: unknown): XmlNode[] {
  if (value === undefined || value === null) return []
  return (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'object' && v !== null ? (v as XmlNode) : {}))
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined
}

function text(node: XmlNode): string {
  return typeof node['#text'] === 'string' ? node['#text'] : ''
}

const MESSAGE_LIMIT = 1000
const MESSAGE_LINES = 30

/** A message as the tool printed it: line breaks kept, trailing blanks and runs of blank lines dropped. */
function readable(value: string): string {
  const lines = value
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l, i, all) => l !== '' || (i > 0 && all[i - 1] !== ''))
  while (lines.at(-1) === '') lines.pop()
  while (lines[0] === '') lines.shift()
  const kept = lines.length > MESSAGE_LINES ? [...lines.slice(0, MESSAGE_LINES), '…'] : lines
  const text = kept.join('\n')
  return text.length > MESSAGE_LIMIT ? `${text.slice(0, MESSAGE_LIMIT - 1)}…` : text
}

// `Error: `, `AssertionError [ERR_ASSERTION]: `, node's `Error [ERR_TEST_FAILURE]: ` in front of a message.
const ERROR_PREFIX = /^(?:[A-Z][A-Za-z]*)?Error(?: \[[A-Z_]+\])?: /

/** The text of a failure body before its stack trace, without the error class in front. */
function bodyMessage(body: string): string | undefined {
  const lines = body.replace(/\r\n?/g, '\n').split('\n')
  const stack = lines.findIndex((l) => /^\s+at /.test(l))
  const text = readable((stack < 0 ? lines : lines.slice(0, stack)).join('\n').trim().replace(ERROR_PREFIX, ''))
  return text === '' ? undefined : text
}

const squashed = (text: string) => text.replace(/\s+/g, '')

/**
 * The failure's message. node:test's own junit reporter drops the line breaks of its message
 * attribute (`'*' !== 'WRONG'` glued to the line before): when the body holds the same text with
 * its line breaks, the body's version is the one people read in the tool's output.
 */
function failureText(attr: string | undefined, body: string): string | undefined {
  const fromBody = bodyMessage(body)
  if (attr === undefined) return fromBody
  if (fromBody !== undefined && squashed(fromBody).startsWith(squashed(attr)) && squashed(attr).length > 0) return fromBody.includes('\n') ? fromBody : readable(attr)
  return readable(attr)
}

/** JUnit times are seconds; Surefire may group thousands with commas. */
function seconds(value: unknown): number | undefined {
  const s = str(value)
  if (s === undefined) return undefined
  const n = Number(s.replaceAll(',', ''))
  return Number.isFinite(n) ? Math.round(n * 1000) : undefined
}

function sumMs(cases: TestCase[]): number {
  return cases.reduce((sum, c) => sum + c.durationMs, 0)
}

function dedupe(parts: string[]): string[] {
  return parts.filter((p, i) => p !== parts[i - 1])
}
