#!/usr/bin/env node
// Sets up a fresh clone on a machine with only Node 20 and npm:
// pnpm (the pinned version), then the workspace with better-sqlite3 built from source.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const quiet = process.argv.includes('--quiet')
const say = (line) => quiet || console.log(`setup: ${line}`)
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1]

const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`setup: Node ${process.versions.node} is too old; Pipewright needs Node 20.19 or newer.`)
  process.exit(1)
}

function pnpmVersion() {
  const r = spawnSync('pnpm', ['--version'], { encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() : undefined
}

if (pnpmVersion() !== pinned) {
  say(`installing pnpm ${pinned} (npm i -g pnpm@${pinned})`)
  execFileSync('npm', ['install', '-g', `pnpm@${pinned}`, '--no-audit', '--no-fund'], { stdio: quiet ? 'ignore' : 'inherit' })
}

// better-sqlite3 compiles from source here; node-gyp needs Node's headers, which ship with Node
// under <prefix>/include/node (pnpm ignores `nodedir` from .npmrc, so pass it in the environment).
const env = { ...process.env }
const prefix = join(dirname(process.execPath), '..')
if (!env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node.h'))) env.npm_config_nodedir = prefix

const marker = join(root, 'node_modules', '.modules.yaml')
const lockNewer = existsSync(marker) ? false : true
if (lockNewer || !quiet) say('installing dependencies (pnpm install --frozen-lockfile; the first run compiles better-sqlite3, about 80 s)')
const r = spawnSync('pnpm', ['install', '--frozen-lockfile', ...(quiet ? ['--reporter=silent'] : [])], { cwd: root, env, stdio: 'inherit' })
if (r.status !== 0) {
  console.error('setup: pnpm install failed; see the output above.')
  process.exit(r.status ?? 1)
}
say('done. Next: pnpm demo (run the example pipeline) or pnpm test (every test).')
