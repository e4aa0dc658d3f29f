import { cp, mkdir, readFile, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join, relative } from 'node:path'
import { REPO_ROOT, run, type WorkspacePackage } from './workspace.js'

/**
 * Copies what `changeset version` reads and writes (root manifest, workspace file, .changeset/,
 * every package.json and CHANGELOG.md) into `dest`, so versioning can be tried without touching
 * the working tree.
 */
export async function copyForVersioning(packages: WorkspacePackage[], dest: string): Promise<void> {
  for (const file of ['package.json', 'pnpm-workspace.yaml']) await cp(join(REPO_ROOT, file), join(dest, file))
  // Only the config: pending changesets of the repo would blur what each test's own changeset does.
  await mkdir(join(dest, '.changeset'), { recursive: true })
  await cp(join(REPO_ROOT, '.changeset/config.json'), join(dest, '.changeset/config.json'))
  for (const pkg of packages) {
    const rel = relative(REPO_ROOT, pkg.path)
    await mkdir(join(dest, rel), { recursive: true })
    for (const file of ['package.json', 'CHANGELOG.md']) {
      if (existsSync(join(pkg.path, file))) await cp(join(pkg.path, file), join(dest, rel, file))
    }
  }
}

/** Adds a changeset and runs the repo's own `changeset version` in `dir`. */
export async function versionWithChangeset(dir: string, bumps: Record<string, 'patch' | 'minor' | 'major'>, summary: string): Promise<void> {
  const header = Object.entries(bumps).map(([name, bump]) => `'${name}': ${bump}`).join('\n')
  await writeFile(join(dir, '.changeset/pack-test-change.md'), `---\n${header}\n---\n\n${summary}\n`)
  run(process.execPath, [join(REPO_ROOT, 'node_modules/@changesets/cli/bin.js'), 'version'], { cwd: dir })
}

export async function readManifest(dir: string, pkg: WorkspacePackage): Promise<Record<string, any>> {
  return JSON.parse(await readFile(join(dir, relative(REPO_ROOT, pkg.path), 'package.json'), 'utf8')) as Record<string, any>
}
