import jsYaml from 'js-yaml'
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Node, type Scalar } from 'yaml'
import { PipewrightError, type Problem } from '@pipewright/plugin-api'
import type { SourceLocator } from './load.js'

type Position = { line: number; column: number }

/** The node at a path, and where the deepest existing part of it was written. */
function walk(contents: Node | null, path: Array<string | number>, position: (offset: number) => Position): { node: unknown; found: Position | undefined; complete: boolean } {
  let node: unknown = contents
  let found = contents?.range ? position(contents.range[0]) : undefined
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment))
      if (!pair) return { node, found, complete: false }
      const key = pair.key as Node
      // Point at the key, where a reader looks for `stages.build.with.tag`.
      if (key.range) found = position(key.range[0])
      node = pair.value
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined
      if (!item) return { node, found, complete: false }
      if (item.range) found = position(item.range[0])
      node = item
    } else {
      return { node, found, complete: false }
    }
  }
  return { node, found, complete: true }
}

/**
 * Where character `offset` of a string value was written: for `|` blocks (line by line, at the
 * block's indentation) and for one-line scalars written without escapes; undefined otherwise.
 */
function offsetInScalar(node: Scalar, text: string, offset: number, position: (offset: number) => Position): Position | undefined {
  const value = node.value as string
  const [start, end] = node.range!
  const before = value.slice(0, offset)
  const line = before.split('\n').length - 1
  const column = offset - (before.lastIndexOf('\n') + 1)
  if (node.type === 'BLOCK_LITERAL') {
    const contentStart = text.indexOf('\n', start) + 1
    const indent = /^( *)\S/m.exec(text.slice(contentStart, end))?.[1]?.length ?? 0
    const first = position(contentStart)
    return { line: first.line + line, column: indent + column + 1 }
  }
  const quote = node.type === 'PLAIN' ? 0 : 1
  if (value.includes('\n') || text.slice(start + quote, end - quote) !== value) return undefined
  return position(start + quote + offset)
}

function locatorFor(contents: Node | null, lineCounter: LineCounter, text: string): SourceLocator {
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset)
    return { line, column: col }
  }
  return {
    // A path that does not exist (a missing required key) points at its deepest existing parent.
    locate: (path) => walk(contents, path, position).found,
    locateText(path, offset) {
      const { node, complete } = walk(contents, path, position)
      if (!complete || !isScalar(node) || typeof node.value !== 'string' || !node.range) return undefined
      return offsetInScalar(node, text, offset, position)
    },
  }
}

// An anchor (`&name`) makes aliases possible, and with them alias bombs: such files take the
// careful path, which limits alias expansion.
const ANCHOR = /(^|[\s[{,:])&[^\s,\]}]/m

/**
 * Parses pipeline YAML. A valid file is read by js-yaml (its YAML 1.2 core schema gives the same
 * values as `yaml`'s, about ten times faster on large pipelines); `yaml`, which reports every
 * syntax error at once with its position and locates validation problems, runs only when there
 * is an error, a position to find, or an anchor.
 */
export function parsePipelineYaml(text: string, file: string): { input: unknown; locator: SourceLocator } {
  if (ANCHOR.test(text)) return parseCarefully(text, file)
  let input: unknown
  try {
    input = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA, filename: file })
  } catch {
    return parseCarefully(text, file)
  }
  let careful: SourceLocator | undefined
  const locator = () => (careful ??= parseCarefully(text, file).locator)
  return { input, locator: { locate: (path) => locator().locate(path), locateText: (path, offset) => locator().locateText?.(path, offset) } }
}

/** Every syntax error (including duplicate keys) at once, with positions; a locator for problems. */
export function parseCarefully(text: string, file: string): { input: unknown; locator: SourceLocator } {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, keepSourceTokens: false })
  const toProblem = (message: string, offset: number): Problem => {
    const { line, col } = lineCounter.linePos(offset)
    return { path: '', file, line, column: col, message, code: 'PW_ERR_YAML_SYNTAX' }
  }
  let problems = doc.errors.map((error) => toProblem(error.message.split('\n')[0]!, error.pos[0]))
  let input: unknown
  if (problems.length === 0) {
    try {
      input = doc.toJS({ maxAliasCount: 100 })
    } catch (error) {
      problems = [toProblem((error as Error).message, 0)]
    }
  }
  if (problems.length > 0) {
    const first = problems[0]!
    throw new PipewrightError('PW_ERR_YAML_SYNTAX', `${file}:${first.line}:${first.column}: ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, {
      details: 'Fix the YAML at each line and column listed.',
      problems,
    })
  }
  return { input, locator: locatorFor(doc.contents as Node | null, lineCounter, text) }
}
