import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'

/** The repository root (tools/pack-test/src → ../../..). */
export const REPO_ROOT = resolve(import.meta.dirname, '../../..')

export interface WorkspacePackage {
  name: string
  version: string
  path: string
  private: boolean
}

/** Every workspace package, as pnpm sees it (the root excluded). */
export function listWorkspacePackages(): WorkspacePackage[] {
  const out = execFileSync('pnpm', ['ls', '-r', '--depth', '-1', '--json'], { cwd: REPO_ROOT, encoding: 'utf8' })
  const all = JSON.parse(out) as Array<{ name: string; version: string; path: string; private?: boolean }>
  return all.filter((p) => p.path !== REPO_ROOT).map((p) => ({ name: p.name, version: p.version, path: p.path, private: p.private === true }))
}

/** Runs a command, returning its output; throws with both streams on failure so the test shows why. */
export function run(cmd: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): string {
  try {
    return execFileSync(cmd, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: options.timeoutMs ?? 600_000, maxBuffer: 64 * 1024 * 1024 })
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string }
    throw new Error(`${cmd} ${args.join(' ')} (in ${options.cwd}) failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`)
  }
}
