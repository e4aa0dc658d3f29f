import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const packageDir = dirname(dirname(fileURLToPath(import.meta.url)))

/** A fresh temp directory and its removal. */
export async function tempDir(prefix = 'pw-sqlite-'): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

/**
 * Starts `tests/fixtures/<script>` in a real Node process. The store's TypeScript source is not
 * built, so the child loads it through jiti, with the source export condition for siblings.
 */
export function startFixture(script: string, args: string[]) {
  const child = spawn(process.execPath, ['--conditions=@pipewright/source', '--import', 'jiti/register', join('tests/fixtures', script), ...args], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
  /** Resolves once the child has printed `text` on stdout. */
  const printed = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (stdout.includes(text)) resolve()
      }
      child.stdout.on('data', check)
      check()
      void exited.then((result) => reject(new Error(`child exited (${result.code ?? result.signal}) before printing ${text}: ${result.stderr}`)))
    })
  return { child, exited, printed }
}
