import { readFile } from 'node:fs/promises'
import { PipewrightError } from '@pipewright/plugin-api'

/**
 * Reads and parses a JSON report a tool wrote. `shownAs` is how the file is named in errors
 * (a workspace-relative path, or the tool that should have written it).
 */
export async function readJsonFile(file: string, shownAs: string, howToFix: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT'
    throw new PipewrightError('PW_ERR_INPUT_FILE', missing ? `${shownAs} does not exist` : `${shownAs} cannot be read: ${(error as Error).message}`, {
      details: howToFix,
      cause: error,
    })
  }
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new PipewrightError('PW_ERR_INPUT_FILE', `${shownAs} is not valid JSON: ${(error as Error).message}`, { details: howToFix, cause: error })
  }
}
