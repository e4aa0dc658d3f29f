import { execFileSync } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { run, type WorkspacePackage } from './workspace.js'

export interface PackedPackage {
  name: string
  tarball: string
  /** The package.json inside the tarball, as a registry would serve it. */
  manifest: Record<string, any>
  /** Paths inside the tarball, without the `package/` prefix. */
  files: string[]
}

/** `pnpm pack`s one package into `dest` (pnpm rewrites workspace: ranges and applies publishConfig). */
export async function packPackage(pkg: WorkspacePackage, dest: string): Promise<PackedPackage> {
  const before = new Set(await readdir(dest))
  run('pnpm', ['pack', '--pack-destination', dest], { cwd: pkg.path })
  const created = (await readdir(dest)).filter((f) => f.endsWith('.tgz') && !before.has(f))
  if (created.length !== 1) throw new Error(`pnpm pack in ${pkg.path} produced ${created.length} tarballs: ${created.join(', ')}`)
  const tarball = join(dest, created[0]!)
  const manifest = JSON.parse(execFileSync('tar', ['-xzf', tarball, '-O', 'package/package.json'], { encoding: 'utf8' })) as Record<string, any>
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''))
  return { name: pkg.name, tarball, manifest, files }
}

/** Every relative path an `exports` map points at, with the conditions that lead to it. */
export function exportTargets(exports: unknown, conditions: string[] = []): Array<{ conditions: string[]; target: string }> {
  if (typeof exports === 'string') return [{ conditions, target: exports }]
  if (!exports || typeof exports !== 'object') return []
  return Object.entries(exports as Record<string, unknown>).flatMap(([key, value]) => exportTargets(value, [...conditions, key]))
}

/** Problems that would break the package for someone installing it from the registry. */
export function manifestProblems(packed: PackedPackage): string[] {
  const { manifest, files, name } = packed
  const problems: string[] = []
  const has = (p: string) => files.includes(p.replace(/^\.\//, ''))
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'] as const) {
    for (const [dep, range] of Object.entries((manifest[field] ?? {}) as Record<string, string>)) {
      if (range.startsWith('workspace:')) problems.push(`${name}: ${field}.${dep} is still "${range}"`)
    }
  }
  const targets = exportTargets(manifest.exports)
  if (targets.length === 0) problems.push(`${name}: no "exports"`)
  for (const { conditions, target } of targets) {
    if (conditions.includes('@pipewright/source')) problems.push(`${name}: exports keep the @pipewright/source condition (${conditions.join(' > ')})`)
    if (target.endsWith('package.json')) continue
    if (!target.startsWith('./dist/')) problems.push(`${name}: exports ${conditions.join(' > ')} points at ${target}, not ./dist`)
    if (!has(target)) problems.push(`${name}: exports ${conditions.join(' > ')} points at ${target}, which is not in the tarball`)
  }
  if (!targets.some((t) => t.conditions.includes('types') && has(t.target))) problems.push(`${name}: no "types" export with a .d.ts in the tarball`)
  for (const [bin, target] of Object.entries((typeof manifest.bin === 'string' ? { [name]: manifest.bin } : manifest.bin ?? {}) as Record<string, string>)) {
    if (!has(target)) problems.push(`${name}: bin ${bin} → ${target} is not in the tarball`)
  }
  return problems
}
