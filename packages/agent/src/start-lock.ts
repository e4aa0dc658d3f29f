import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AgentPaths } from './paths.js'

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Takes the start lock: a directory (mkdir is atomic) holding the owner's pid. Two agents started
 * at once thus never both clean up a socket and listen. A lock whose owner died is taken over;
 * one without a pid file yet is trusted for a few seconds (its owner is writing it).
 */
export async function acquireStartLock(paths: AgentPaths, timeoutMs = 15_000): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs
  const pidFile = join(paths.lockDir, 'pid')
  for (;;) {
    try {
      await mkdir(paths.lockDir)
      await writeFile(pidFile, String(process.pid))
      return () => rm(paths.lockDir, { recursive: true, force: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const owner = Number(await readFile(pidFile, 'utf8').catch(() => ''))
    const age = Date.now() - ((await stat(paths.lockDir).catch(() => undefined))?.mtimeMs ?? Date.now())
    if ((owner > 0 && !alive(owner)) || (!owner && age > 5_000)) {
      await rm(paths.lockDir, { recursive: true, force: true })
      continue
    }
    if (Date.now() > deadline) throw new Error(`another agent (pid ${owner || '?'}) holds ${paths.lockDir}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
