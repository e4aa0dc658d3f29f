#!/usr/bin/env node
// Sets up a fresh clone on a machine with only Node 20 and npm:
// pnpm (the pinned version), then the workspace with better-sqlite3 built from source.
// The installers' output (pages of compiler warnings while better-sqlite3 builds) goes to a log
// file; the terminal gets one line per step, and the log's tail if a step fails.
import { spawnSync } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const quiet = process.argv.includes('--quiet')
// `npm run demo` and `npm test` run setup first; only a person who ran setup itself needs a next step.
const direct = process.env.npm_lifecycle_event === undefined || process.env.npm_lifecycle_event === 'setup'
const say = (line) => quiet || console.log(`setup: ${line}`)
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1]
const logFile = join(root, 'node_modules', '.pipewright-setup.log')
const TAIL_LINES = 40
const started = Date.now()

const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`setup: Node ${process.versions.node} is too old; Pipewright needs Node 20.19 or newer.`)
  process.exit(1)
}

mkdirSync(dirname(logFile), { recursive: true })
const log = openSync(logFile, 'w')

/** Runs one step with its output in the log; on failure prints the log's tail and exits. */
function step(what, command, args, options = {}) {
  const r = spawnSync(command, args, { cwd: root, ...options, stdio: ['ignore', log, log] })
  if (r.status === 0) return
  closeSync(log)
  const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n')
  console.error(`setup: ${what} failed${r.error ? ` (${r.error.message})` : ''}. The last ${Math.min(TAIL_LINES, lines.length)} lines of ${relative(process.cwd(), logFile)}:`)
  console.error(lines.slice(-TAIL_LINES).map((line) => `  ${line}`).join('\n'))
  process.exit(r.status || 1)
}

function pnpmVersion() {
  const r = spawnSync('pnpm', ['--version'], { encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() : undefined
}

if (pnpmVersion() !== pinned) {
  say(`installing pnpm ${pinned} (npm i -g pnpm@${pinned})`)
  step(`npm i -g pnpm@${pinned}`, 'npm', ['install', '-g', `pnpm@${pinned}`, '--no-audit', '--no-fund'])
}

// better-sqlite3 compiles from source here; node-gyp needs Node's headers, which ship with Node
// under <prefix>/include/node (pnpm ignores `nodedir` from .npmrc, so pass it in the environment).
const env = { ...process.env }
const prefix = join(dirname(process.execPath), '..')
if (!env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node.h'))) env.npm_config_nodedir = prefix

const firstInstall = !existsSync(join(root, 'node_modules', '.modules.yaml'))
say(`installing dependencies (pnpm install --frozen-lockfile${firstInstall ? '; the first run compiles better-sqlite3, about 80 s' : ''}; output in ${relative(process.cwd(), logFile)})`)
step('pnpm install --frozen-lockfile', 'pnpm', ['install', '--frozen-lockfile'], { env })
closeSync(log)
const seconds = Math.round((Date.now() - started) / 1000)
say(direct ? `done in ${seconds} s. Next: pnpm demo (run the example pipeline) or pnpm test (every test).` : `done in ${seconds} s.`)
