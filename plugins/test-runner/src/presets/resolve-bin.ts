import { readFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'

/**
 * Finds the JS entry of an installed package's binary by walking up from `from` the way Node
 * resolves packages, so a preset runs the runner version the project itself installed.
 */
export async function resolvePackageBin(pkg: string, bin: string, from: string): Promise<string | undefined> {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const pkgDir = join(dir, 'node_modules', pkg)
    try {
      const manifest = JSON.parse(await readFile(join(pkgDir, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> }
      const entry = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[bin]
      if (entry) return join(pkgDir, entry)
    } catch {
      // not installed at this level: keep walking up
    }
    if (dirname(dir) === dir) return undefined
  }
}
