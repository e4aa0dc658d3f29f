import { readFile, stat } from 'node:fs/promises'
import { PipewrightError } from '@pipewright/plugin-api'

/** Who wrote a report file, so an error can say which tool to look at. */
export interface FileOrigin {
  /** e.g. `the vitest junit reporter` or `the command "npm test"`. */
  producedBy: string
  /** What the file should be, e.g. `JUnit XML`. */
  kind: string
}

/** Reads a report file, or throws PW_ERR_INPUT_FILE naming the file and what should have written it. */
export async function readReportFile(path: string, origin: FileOrigin, file = path): Promise<string> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT'
    throw new PipewrightError(
      'PW_ERR_INPUT_FILE',
      `${origin.kind} file ${file} ${missing ? 'does not exist' : 'cannot be read'}: it should have been written by ${origin.producedBy}`,
      {
        details: missing
          ? `Check that ${origin.producedBy} writes ${origin.kind} to exactly this path (relative to the stage's working directory), and see the stage log for why it did not.`
          : 'Check the file permissions.',
        cause: error,
      },
    )
  }
  if (text.trim() === '') throw malformed(file, origin, 'the file is empty')
  return text
}

export function malformed(file: string, origin: FileOrigin, problem: string): PipewrightError {
  return new PipewrightError('PW_ERR_INPUT_FILE', `${origin.kind} file ${file} (written by ${origin.producedBy}) is malformed: ${problem}`, {
    details: `Check that ${origin.producedBy} is configured to write ${origin.kind}, and that the file is not left over or truncated.`,
  })
}

/** Size and mtime of a file, or undefined; lets a stage tell a fresh report from one left by an earlier run. */
export async function fileStamp(file: string): Promise<string | undefined> {
  try {
    const s = await stat(file)
    return `${s.mtimeMs}:${s.size}`
  } catch {
    return undefined
  }
}
