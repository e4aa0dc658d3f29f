// A node:test reporter (`node --test --test-reporter=<this file>`) that writes JUnit XML the way
// vitest does: one <testsuite> per test file, each <testcase> with the file as its class name,
// `suite > test` as its name, and the file and line it was declared at. Node 20's own junit
// reporter names no file at all, and squashes a failure's line breaks in its message attribute.
// Plain JavaScript: node loads it in the test process, which cannot read TypeScript.
import { relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { inspect } from 'node:util'

const escapeText = (text) =>
  String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    // XML 1.0 has no place for other control characters (ANSI colour codes among them).
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')

// In an attribute a line break must be a character reference, or XML parsers fold it into a space.
const escapeXml = (text) => escapeText(text).replace(/"/g, '&quot;').replace(/\r?\n/g, '&#10;')

function fileURLToPathSafe(file) {
  return file?.startsWith('file://') ? fileURLToPath(file) : file
}

function filePath(file) {
  if (!file) return undefined
  const path = file.startsWith('file://') ? fileURLToPath(file) : file
  const rel = relative(process.cwd(), path)
  return (rel.startsWith('..') ? path : rel).split(sep).join('/')
}

/** What a person reads first: the assertion's own message, not node's ERR_TEST_FAILURE wrapper. */
function failureOf(error) {
  const inner = error?.failureType === 'testCodeFailure' && error.cause ? error.cause : error
  const message = inner instanceof Error ? inner.message : typeof inner === 'string' ? inner : inspect(inner)
  return { message, body: inspect(inner ?? error, { depth: 4 }) }
}

function render(test, path) {
  const attrs = [`name="${escapeXml([...path, test.name].join(' > '))}"`, `classname="${escapeXml(test.file ?? 'test')}"`, `time="${(test.durationMs / 1000).toFixed(6)}"`]
  if (test.file) attrs.push(`file="${escapeXml(test.file)}"`)
  if (test.line) attrs.push(`line="${test.line}"`)
  if (test.error) {
    const { message, body } = failureOf(test.error)
    return `\t\t<testcase ${attrs.join(' ')}>\n\t\t\t<failure type="${escapeXml(test.error.failureType ?? 'Error')}" message="${escapeXml(message)}">${escapeText(body)}</failure>\n\t\t</testcase>`
  }
  if (test.skip || test.todo) return `\t\t<testcase ${attrs.join(' ')}>\n\t\t\t<skipped message="${escapeXml(test.skip || test.todo)}"/>\n\t\t</testcase>`
  return `\t\t<testcase ${attrs.join(' ')}/>`
}

/** Every test below `node` with the names of the suites it is in; suites themselves are not tests. */
function leaves(node, path, out) {
  for (const child of node.children) {
    if (child.children.length > 0) leaves(child, [...path, child.name], out)
    else out.push({ test: child, path })
    // A suite that failed outside its tests (a throwing hook) is reported as a test of its own.
    if (child.children.length > 0 && child.error && !child.children.some((c) => c.error)) out.push({ test: { ...child, children: [] }, path })
  }
  return out
}

export default async function* junitWithFiles(source) {
  const root = { children: [] }
  const stack = [root]
  for await (const event of source) {
    if (event.type === 'test:start') {
      const file = filePath(event.data.file)
      // A file that declares no node:test test is reported as one test named by its path.
      const name = event.data.name === event.data.file || event.data.name === fileURLToPathSafe(event.data.file) ? file : event.data.name
      const test = { name, file, line: event.data.line, children: [], durationMs: 0 }
      stack.at(-1).children.push(test)
      stack.push(test)
    } else if (event.type === 'test:pass' || event.type === 'test:fail') {
      const test = stack.length > 1 ? stack.pop() : undefined
      if (!test) continue
      test.durationMs = event.data.details?.duration_ms ?? 0
      test.skip = event.data.skip
      test.todo = event.data.todo
      if (event.type === 'test:fail') test.error = event.data.details?.error
    }
  }
  const byFile = new Map()
  for (const { test, path } of leaves(root, [], [])) {
    const file = test.file ?? '(unknown file)'
    if (!byFile.has(file)) byFile.set(file, [])
    byFile.get(file).push({ test, path })
  }
  // The root's name tells the plugin the report came from this reporter.
  let xml = '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="node:test">\n'
  for (const [file, tests] of byFile) {
    const failures = tests.filter((t) => t.test.error).length
    const skipped = tests.filter((t) => !t.test.error && (t.test.skip || t.test.todo)).length
    const time = tests.reduce((sum, t) => sum + t.test.durationMs, 0) / 1000
    xml += `\t<testsuite name="${escapeXml(file)}" tests="${tests.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time.toFixed(6)}">\n`
    xml += tests.map(({ test, path }) => render(test, path)).join('\n')
    xml += '\n\t</testsuite>\n'
  }
  yield `${xml}</testsuites>\n`
}
