import { cpSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const pluginDir = resolve(fileURLToPath(import.meta.url), '../../..')
const repoRoot = resolve(pluginDir, '../..')
export const fixturesDir = join(pluginDir, 'tests', 'fixtures')

// The runners the fixture projects use, as installed in the repository: vitest and its coverage
// provider at the root, jest in this package.
const RUNNERS: Array<[string, string]> = [
  ['vitest', join(repoRoot, 'node_modules', 'vitest')],
  ['@vitest/coverage-v8', join(repoRoot, 'node_modules', '@vitest', 'coverage-v8')],
  ['jest', join(pluginDir, 'node_modules', 'jest')],
]

/**
 * Copies a fixture project to a fresh temp dir, outside the repository (so no parent config is
 * picked up and its marker files start clean), and links the installed runners into its node_modules.
 */
export function copyFixture(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `pw-test-runner-${name}-`))
  cpSync(join(fixturesDir, name), dir, { recursive: true })
  for (const [pkg, target] of RUNNERS) {
    const link = join(dir, 'node_modules', pkg)
    mkdirSync(resolve(link, '..'), { recursive: true })
    symlinkSync(target, link, 'dir')
  }
  return dir
}
