import jsYaml from 'js-yaml'
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Node } from 'yaml'
import { PipewrightError, type Problem } from '@pipewright/plugin-api'
import type { SourceLocator } from './load.js'

function locatorFor(contents: Node | null, lineCounter: LineCounter): SourceLocator {
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset)
    return { line, column: col }
  }
  return {
    // A path that does not exist (a missing required key) points at its deepest existing parent.
    locate(path) {
      let node: unknown = contents
      let found: { line: number; column: number } | undefined = contents?.range ? position(contents.range[0]) : undefined
      for (const segment of path) {
        if (isMap(node)) {
          const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment))
          if (!pair) break
          const key = pair.key as Node
          // Point at the key, where a reader looks for `stages.build.with.tag`.
          if (key.range) found = position(key.range[0])
          node = pair.value
        } else if (isSeq(node) && typeof segment === 'number') {
          const item = node.items[segment] as Node | undefined
          if (!item) break
          if (item.range) found = position(item.range[0])
          node = item
        } else {
          break
        }
      }
      return found
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
  return { input, locator: { locate: (path) => (careful ??= parseCarefully(text, file).locator).locate(path) } }
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
  return { input, locator: locatorFor(doc.contents as Node | null, lineCounter) }
}
