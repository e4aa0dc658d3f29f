import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { WorkspacePackage } from '../../pack-test/src/workspace.js'

/** The workspace packages `name` depends on (dependencies and peers), directly or not, itself first. */
export function workspaceClosure(packages: WorkspacePackage[], name: string): WorkspacePackage[] {
  const byName = new Map(packages.map((p) => [p.name, p]))
  const seen = new Map<string, WorkspacePackage>()
  const visit = (current: string) => {
    const pkg = byName.get(current)
    if (!pkg || seen.has(current)) return
    seen.set(current, pkg)
    const manifest = JSON.parse(readFileSync(join(pkg.path, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> }
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) visit(dep)
  }
  visit(name)
  return [...seen.values()]
}
