import { spawnSync } from 'node:child_process'
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'

const SETUP = resolve(import.meta.dirname, '../../setup.mjs')
const NOISE_LINES = 300

// A real `pnpm install` would relink the node_modules that the other tests of this run are
// loading from, so setup.mjs runs in a copy of the repo's outline with a stand-in `pnpm` first on
// PATH: it answers --version with the pinned version and, for install, prints pages of compiler
// noise like node-gyp does, then exits with FAKE_PNPM_EXIT.
const FAKE_PNPM = `#!/bin/sh
if [ "$1" = "--version" ]; then echo "$PINNED"; exit 0; fi
i=1
while [ $i -le ${NOISE_LINES} ]; do echo "warning: unused parameter in better_sqlite3.cpp (line $i)"; i=$((i+1)); done
echo "noise on stderr" >&2
exit "\${FAKE_PNPM_EXIT:-0}"
`

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function fakeRepo(): { root: string; bin: string } {
  const root = mkdtempSync(join(tmpdir(), 'pw-setup-'))
  dirs.push(root)
  mkdirSync(join(root, 'tools'))
  cpSync(SETUP, join(root, 'tools/setup.mjs'))
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'repo', private: true, packageManager: 'pnpm@12.4.2' }))
  const bin = join(root, 'bin')
  mkdirSync(bin)
  writeFileSync(join(bin, 'pnpm'), FAKE_PNPM)
  chmodSync(join(bin, 'pnpm'), 0o755)
  return { root, bin }
}

function setup(repo: { root: string; bin: string }, env: Record<string, string | undefined>) {
  const base: NodeJS.ProcessEnv = { ...process.env, PATH: `${repo.bin}:${process.env.PATH}`, PINNED: '12.4.2' }
  delete base.npm_lifecycle_event
  return spawnSync(process.execPath, ['tools/setup.mjs'], { cwd: repo.root, env: { ...base, ...env }, encoding: 'utf8' })
}

describe('tools/setup.mjs', () => {
  it('keeps the installer output in node_modules/.pipewright-setup.log and prints one line per step', () => {
    const repo = fakeRepo()
    const r = setup(repo, { npm_lifecycle_event: 'demo' })
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^setup: installing dependencies \(pnpm install --frozen-lockfile; the first run compiles better-sqlite3, about 80 s; output in node_modules\/\.pipewright-setup\.log\)\nsetup: done in \d+ s\.\n$/)
    expect(r.stderr).toBe('')
    const log = readFileSync(join(repo.root, 'node_modules/.pipewright-setup.log'), 'utf8')
    expect(log).toContain(`(line ${NOISE_LINES})`)
    expect(log).toContain('noise on stderr')
  })

  it('suggests what to do next only when run directly, not from npm run demo or npm test', () => {
    const repo = fakeRepo()
    for (const event of ['demo', 'test']) expect(setup(repo, { npm_lifecycle_event: event }).stdout).not.toContain('Next:')
    for (const event of [undefined, 'setup']) expect(setup(repo, { npm_lifecycle_event: event }).stdout).toMatch(/^setup: done in \d+ s\. Next: pnpm demo/m)
  })

  it('prints the tail of the log when the install fails, and exits non-zero', () => {
    const repo = fakeRepo()
    const r = setup(repo, { FAKE_PNPM_EXIT: '3' })
    expect(r.status).toBe(3)
    expect(r.stderr).toMatch(/^setup: pnpm install --frozen-lockfile failed\. The last 40 lines of node_modules\/\.pipewright-setup\.log:$/m)
    expect(r.stderr).toContain(`(line ${NOISE_LINES})`)
    expect(r.stderr).toContain('noise on stderr')
    expect(r.stderr).not.toContain('(line 1)')
    expect(r.stdout).not.toContain('warning: unused parameter')
    expect(existsSync(join(repo.root, 'node_modules/.pipewright-setup.log'))).toBe(true)
  })
})
