import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

// The tests start real agent processes, which run the built `dist/main.js` (a detached process
// cannot use vitest's on-the-fly TypeScript). Build the agent and the workspace packages it
// imports when their sources are newer than their build — JavaScript only, declarations skipped.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

interface WorkspacePackage {
  name: string
  dir: string
  deps: string[]
}

function workspacePackages(): Map<string, WorkspacePackage> {
  const byName = new Map<string, WorkspacePackage>()
  for (const group of ['packages', 'plugins']) {
    for (const entry of readdirSync(join(ROOT, group))) {
      const file = join(ROOT, group, entry, 'package.json')
      if (!existsSync(file)) continue
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name: string; dependencies?: Record<string, string> }
      const deps = Object.entries(pkg.dependencies ?? {}).filter(([, v]) => v.startsWith('workspace:')).map(([k]) => k)
      byName.set(pkg.name, { name: pkg.name, dir: join(ROOT, group, entry), deps })
    }
  }
  return byName
}

function newest(path: string): number {
  if (!existsSync(path)) return 0
  const st = statSync(path)
  if (!st.isDirectory()) return st.mtimeMs
  return Math.max(st.mtimeMs, ...readdirSync(path).map((e) => newest(join(path, e))))
}

export default function setup(): void {
  const all = workspacePackages()
  const closure = new Map<string, WorkspacePackage>()
  const visit = (name: string) => {
    const pkg = all.get(name)
    if (!pkg || closure.has(name)) return
    closure.set(name, pkg)
    pkg.deps.forEach(visit)
  }
  visit('@pipewright/agent')
  // plugin-api is a peer of the plugins; the agent loads it through core.
  visit('@pipewright/plugin-api')
  const stale = [...closure.values()].filter((p) => {
    const built = join(p.dir, 'dist/index.js')
    return !existsSync(built) || Math.max(newest(join(p.dir, 'src')), newest(join(p.dir, 'package.json'))) > statSync(built).mtimeMs
  })
  if (stale.length === 0) return
  execFileSync('pnpm', [...stale.flatMap((p) => ['--filter', p.name]), '--reporter=append-only', 'exec', 'tsup', '--no-dts', '--no-clean'], { cwd: ROOT, stdio: 'pipe', timeout: 300_000 })
}
