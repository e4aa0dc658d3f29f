import { execFile, execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/**
 * Keeps git in tests away from the machine's own configuration and gives it a fixed identity.
 * Call once per test file, before anything runs git.
 */
export function isolateGit(): void {
  Object.assign(process.env, {
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Ada Tester',
    GIT_AUTHOR_EMAIL: 'ada@example.test',
    GIT_COMMITTER_NAME: 'Ada Tester',
    GIT_COMMITTER_EMAIL: 'ada@example.test',
  })
  delete process.env.GIT_DIR
  delete process.env.GIT_WORK_TREE
}

const created: string[] = []

export function tempDir(prefix = 'pw-git-'): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)))
  created.push(dir)
  return dir
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true })
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

/** A new repository on branch `main` (bare: a server-side repository). */
export function initRepo(dir = tempDir(), options: { bare?: boolean } = {}): string {
  mkdirSync(dir, { recursive: true })
  git(dir, 'init', '-q', '-b', 'main', ...(options.bare ? ['--bare'] : []))
  return dir
}

/** Writes the files and commits them; returns the new commit's sha. */
export function commit(dir: string, message: string, files: Record<string, string> = { [`file-${Math.random().toString(36).slice(2)}.txt`]: message }): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '--allow-empty', '-m', message)
  return git(dir, 'rev-parse', 'HEAD')
}

/** Async git, for commands that talk to a server running in this same process (execFileSync would block it). */
export function gitAsync(cwd: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, encoding: 'utf8' }, (error, stdout) => (error ? reject(error) : resolve(stdout.trim())))
  })
}
