import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** What Pipewright keeps next to the pipeline (the run store, test reports): never committed. */
export const STATE_DIR_ENTRY = '.pipewright/'

/** Lines of a .gitignore that already keep `.pipewright/` out. */
const COVERS = new Set(['.pipewright', '.pipewright/', '/.pipewright', '/.pipewright/', '.pipewright/**', '/.pipewright/**'])

/**
 * Adds `.pipewright/` to the project's .gitignore: creates the file, or appends one line to it
 * (after a newline if its last line has none). Returns what it did; running it twice adds nothing.
 */
export async function ignorePipewrightState(dir: string): Promise<'created' | 'appended' | 'present'> {
  const file = join(dir, '.gitignore')
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    await writeFile(file, `${STATE_DIR_ENTRY}\n`)
    return 'created'
  }
  if (text.split(/\r?\n/).some((line) => COVERS.has(line.trim()))) return 'present'
  await writeFile(file, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${STATE_DIR_ENTRY}\n`)
  return 'appended'
}
