import { existsSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'

/**
 * Parses the $PIPEWRIGHT_OUTPUT file: `key=value` lines and `key<<DELIM` … `DELIM` blocks
 * (the GitHub Actions format). Returns problems for lines it cannot read.
 */
export function parseOutputFile(text: string): { outputs: Record<string, string>; problems: string[] } {
  const outputs: Record<string, string> = {}
  const problems: string[] = []
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (line.trim() === '') continue
    const heredoc = /^([A-Za-z_][A-Za-z0-9_.-]*)<<(\S+)$/.exec(line)
    if (heredoc) {
      const [, key, delim] = heredoc
      const body: string[] = []
      let closed = false
      for (i++; i < lines.length; i++) {
        if (lines[i] === delim) {
          closed = true
          break
        }
        body.push(lines[i]!)
      }
      if (!closed) problems.push(`output "${key}": missing closing delimiter ${delim}`)
      outputs[key!] = body.join('\n')
      continue
    }
    const eq = line.indexOf('=')
    const key = eq > 0 ? line.slice(0, eq) : ''
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) {
      problems.push(`line ${i + 1}: expected key=value or key<<DELIMITER, got "${line.slice(0, 40)}"`)
      continue
    }
    outputs[key] = line.slice(eq + 1)
  }
  return { outputs, problems }
}

/** Reads and removes an output file; a file the stage never wrote means no outputs. */
export async function readOutputFile(path: string): Promise<{ outputs: Record<string, string>; problems: string[] }> {
  // Most stages write no outputs: a sync stat is far cheaper than a failing async read.
  if (!existsSync(path)) return { outputs: {}, problems: [] }
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    return { outputs: {}, problems: [] }
  }
  await rm(path, { force: true })
  return parseOutputFile(text)
}
