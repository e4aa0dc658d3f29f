import { isAbsolute, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { SourceLocation } from '../model.js'

// Frames in these places are the runner's or the runtime's, never the test's own code.
const NOISE = /(^|[\\/])node_modules[\\/]|^node:|^internal[\\/]|<anonymous>/
const JAVA_NOISE = /^(org\.junit|org\.opentest4j|org\.assertj|org\.hamcrest|org\.apache\.maven|java\.|javax\.|jdk\.|sun\.)/

// `at com.example.CartTest.addsItem(CartTest.java:42)`
const JAVA_FRAME = /at ([\w$.]+)\.[\w$<>]+\(([\w$]+\.(?:java|kt|groovy|scala)):(\d+)\)/g

// file:line[:col] as printed by V8 stacks `(file:1:2)`, vitest `❯ file:1:2` and pytest `file:1: Error`.
// Paths may be file:// URLs.
const FRAME_PATTERNS = [
  /\((file:\/\/[^():\s]+|[^():\s][^():]*?):(\d+)(?::\d+)?\)/g,
  /(?:^|\s)(?:at|❯|→)\s+(file:\/\/[^\s:]+|[^\s():]+):(\d+)(?::\d+)?/gm,
  /^(\S+\.[A-Za-z]{1,5}):(\d+): /gm,
]

/**
 * Finds where a failure happened in its body: for Java, the frame of the test class itself;
 * otherwise the first frame that points into the project (not node_modules or the runtime).
 * Paths inside `workspace` come back relative to it with `/` separators.
 */
export function findLocation(text: string, workspace: string, classname?: string): SourceLocation | undefined {
  return findJavaFrame(text, classname) ?? findScriptFrame(text, workspace)
}

function findJavaFrame(text: string, classname: string | undefined): SourceLocation | undefined {
  let fallback: SourceLocation | undefined
  for (const match of text.matchAll(JAVA_FRAME)) {
    const cls = match[1]!
    if (JAVA_NOISE.test(cls)) continue
    // Surefire knows the class, not the source root: name the file by its package path.
    const pkg = cls.includes('.') ? cls.slice(0, cls.lastIndexOf('.')).replaceAll('.', '/') + '/' : ''
    const location = { file: pkg + match[2]!, line: Number(match[3]) }
    if (cls === classname || cls.split('$')[0] === classname) return location
    fallback ??= location
  }
  return fallback
}

function findScriptFrame(text: string, workspace: string): SourceLocation | undefined {
  const hits: Array<{ index: number; location: SourceLocation }> = []
  for (const pattern of FRAME_PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const raw = match[1]!
      if (NOISE.test(raw)) continue
      hits.push({ index: match.index ?? 0, location: { file: normalizeFile(raw, workspace), line: Number(match[2]) } })
    }
  }
  hits.sort((a, b) => a.index - b.index)
  return hits[0]?.location
}

/** Makes a path (or file:// URL) relative to the workspace when it lies inside it. */
export function normalizeFile(raw: string, workspace: string): string {
  let file = raw
  if (file.startsWith('file://')) {
    try {
      file = fileURLToPath(file)
    } catch {
      return raw
    }
  }
  if (isAbsolute(file)) {
    const rel = relative(workspace, file)
    if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) file = rel
  }
  return file.split(sep).join('/')
}

/** True for a relative path that stays inside the workspace (a file a runner can be pointed at). */
export function isWorkspaceFile(file: string): boolean {
  return !isAbsolute(file) && !file.split('/').includes('..')
}
