import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const pluginDir = resolve(fileURLToPath(import.meta.url), '../../..')
const repoRoot = resolve(pluginDir, '../..')
export const fixturesDir = join(pluginDir, 'tests', 'fixtures')

// The runners the fixture projects use, as installed in the repository: vitest and its coverage
// provider at the root; jest, c8, tape, mocha, ava and their JUnit reporters in this package.
const RUNNERS: Array<[string, string]> = [
  ['vitest', join(repoRoot, 'node_modules', 'vitest')],
  ['@vitest/coverage-v8', join(repoRoot, 'node_modules', '@vitest', 'coverage-v8')],
  ...['jest', 'c8', 'tape', 'tap-junit', 'mocha', 'mocha-junit-reporter', 'ava'].map((pkg): [string, string] => [pkg, join(pluginDir, 'node_modules', pkg)]),
]

/** The JS entry of a runner's command, for spawning it with `node` in a fixture project. */
export function binOf(dir: string, pkg: string, bin = pkg): string {
  const manifest = JSON.parse(readFileSync(join(dir, 'node_modules', pkg, 'package.json'), 'utf8')) as { bin: string | Record<string, string> }
  return join(dir, 'node_modules', pkg, typeof manifest.bin === 'string' ? manifest.bin : manifest.bin[bin]!)
}

/**
 * The "All files" row of an istanbul text report (c8, nyc, vitest, jest print it):
 * statements, branches, functions and lines as the tool printed them.
 */
export function printedTotals(output: string): { statements: number; branches: number; functions: number; lines: number } {
  const row = output.split('\n').find((line) => /^\s*All files\s*\|/.test(line))
  if (!row) throw new Error(`no "All files" row in the tool's output:\n${output}`)
  const [statements, branches, functions, lines] = row.split('|').slice(1, 5).map((cell) => Number(cell.trim()))
  return { statements: statements!, branches: branches!, functions: functions!, lines: lines! }
}

/**
 * Copies a fixture project to a fresh temp dir, outside the repository (so no parent config is
 * picked up and its marker files start clean), and links the installed runners into its node_modules
 * (all but those in `without`).
 */
export function copyFixture(name: string, options: { without?: string[] } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), `pw-test-runner-${name}-`))
  cpSync(join(fixturesDir, name), dir, { recursive: true })
  for (const [pkg, target] of RUNNERS) {
    if (options.without?.includes(pkg)) continue
    const link = join(dir, 'node_modules', pkg)
    mkdirSync(resolve(link, '..'), { recursive: true })
    symlinkSync(target, link, 'dir')
  }
  return dir
}
