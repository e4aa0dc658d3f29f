import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const CLI_DIR = join(ROOT, 'apps/cli')
/** Without these the CLI cannot start; the plugins may lag behind (the CLI warns and goes on). */
const REQUIRED = ['@pipewright/cli', '@pipewright/core', '@pipewright/plugin-api', '@pipewright/store-sqlite']

interface WorkspacePackage {
  name: string
  dir: string
  deps: string[]
  buildScript?: string
}

function workspacePackages(): Map<string, WorkspacePackage> {
  const byName = new Map<string, WorkspacePackage>()
  for (const group of ['packages', 'plugins', 'apps']) {
    const base = join(ROOT, group)
    if (!existsSync(base)) continue
    for (const entry of readdirSync(base)) {
      const file = join(base, entry, 'package.json')
      if (!existsSync(file)) continue
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name: string; dependencies?: Record<string, string>; scripts?: Record<string, string> }
      const deps = Object.entries(pkg.dependencies ?? {})
        .filter(([, v]) => v.startsWith('workspace:'))
        .map(([k]) => k)
      byName.set(pkg.name, { name: pkg.name, dir: join(base, entry), deps, buildScript: pkg.scripts?.build })
    }
  }
  return byName
}

/** The CLI and every workspace package it depends on, directly or not. */
function closure(all: Map<string, WorkspacePackage>): WorkspacePackage[] {
  const seen = new Map<string, WorkspacePackage>()
  const visit = (name: string) => {
    const pkg = all.get(name)
    if (!pkg || seen.has(name)) return
    seen.set(name, pkg)
    pkg.deps.forEach(visit)
  }
  visit('@pipewright/cli')
  return [...seen.values()]
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0
  const st = statSync(path)
  if (!st.isDirectory()) return st.mtimeMs
  let newest = st.mtimeMs
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules') continue
    newest = Math.max(newest, newestMtime(join(path, entry)))
  }
  return newest
}

function isStale(pkg: WorkspacePackage): boolean {
  const built = join(pkg.dir, 'dist/index.js')
  if (!existsSync(built)) return true
  const sources = Math.max(newestMtime(join(pkg.dir, 'src')), newestMtime(join(pkg.dir, 'package.json')), newestMtime(join(pkg.dir, 'tsup.config.ts')))
  return sources > statSync(built).mtimeMs
}

function build(packages: WorkspacePackage[], args: string[]): void {
  if (packages.length === 0) return
  const filters = packages.flatMap((p) => ['--filter', p.name])
  execFileSync('pnpm', [...filters, '--no-bail', '--reporter=append-only', ...args], { cwd: ROOT, stdio: 'pipe', timeout: 300_000 })
}

/**
 * Builds only the stale packages of the CLI's closure, once per test run. Plain `tsup` builds
 * skip declarations and keep the rest of dist: the spawned CLI needs JavaScript only, and
 * declaration builds take a minute.
 */
export default function setup(): void {
  const stale = closure(workspacePackages()).filter(isStale)
  try {
    build(stale.filter((p) => p.buildScript === 'tsup'), ['exec', 'tsup', '--no-dts', '--no-clean'])
    build(stale.filter((p) => p.buildScript !== undefined && p.buildScript !== 'tsup'), ['run', 'build'])
  } catch (error) {
    // A sibling package mid-edit may not build; only the packages the CLI cannot start without matter.
    const missing = REQUIRED.filter((name) => !existsSync(join(workspacePackages().get(name)?.dir ?? '', 'dist/index.js')))
    if (missing.length > 0 || !existsSync(join(CLI_DIR, 'dist/bin.js'))) {
      const output = (error as { stdout?: Buffer; stderr?: Buffer }).stdout?.toString() ?? String(error)
      throw new Error(`Building the CLI for its tests failed (missing: ${missing.join(', ') || 'dist/bin.js'}):\n${output.slice(-4000)}`)
    }
  }
}
