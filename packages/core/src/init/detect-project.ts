import { access, readdir, readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { PipewrightError } from '@pipewright/plugin-api'

/** Package managers `pipewright init` knows how to drive. */
export type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun'

/** What `pipewright init` found out about a project directory. */
export interface ProjectInfo {
  /** Directory that was inspected. */
  dir: string
  /** Name for the pipeline: package.json `name`, else the directory name. */
  name: string
  /** Whether a package.json was found. */
  hasPackageJson: boolean
  /** Package manager, from the lockfile (then package.json `packageManager`); undefined without package.json. */
  packageManager?: PackageManager
  /** The lockfile the package manager was detected from, relative to `dir`. */
  lockfile?: string
  /** Yarn 2+ (a `.yarnrc.yml` is present): installs use `--immutable`. */
  yarnBerry?: boolean
  /** The well-known scripts package.json defines, in the order a pipeline runs them. */
  scripts: Array<'lint' | 'typecheck' | 'test' | 'build'>
  /** `packageManager` of package.json (`pnpm@9.1.0`, hash dropped), when it names a version. */
  pinned?: { name: PackageManager; version: string }
  /** The test runner the project uses, from its `test` script and dependencies. */
  testRunner?: 'vitest' | 'jest' | 'node'
  /** eslint is a dependency (or the `lint` script runs it). */
  eslint: boolean
  /** A coverage tool the test runner can use without extra setup (vitest's provider, c8 for node:test). */
  coverage: boolean
  /** Top-level files and directories that make up the sources, as cache-key globs. */
  sources: string[]
  /** The directory the build writes (`dist/`), when package.json points into it. */
  buildOutput?: string
}

/** First match wins: a repo that has moved to pnpm often keeps a stale package-lock.json around. */
const LOCKFILES: Array<[file: string, manager: PackageManager]> = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['bun.lock', 'bun'],
  ['bun.lockb', 'bun'],
  ['yarn.lock', 'yarn'],
  ['package-lock.json', 'npm'],
  ['npm-shrinkwrap.json', 'npm'],
]

const KNOWN_SCRIPTS = ['lint', 'typecheck', 'test', 'build'] as const

/** The pipeline file itself is not a source: editing it changes the stages' keys anyway. */
const STARTER_FILE = 'pipewright.yml'

/** npm's placeholder test script fails by design; running it would make every starter pipeline red. */
const PLACEHOLDER_TEST = /no test specified/

async function exists(file: string): Promise<boolean> {
  try {
    await access(file)
    return true
  } catch {
    return false
  }
}

async function readPackageJson(dir: string): Promise<Record<string, unknown> | undefined> {
  const file = join(dir, 'package.json')
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return undefined
  }
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object')
    return parsed as Record<string, unknown>
  } catch (cause) {
    throw new PipewrightError('PW_ERR_INPUT_FILE', `${file} is not valid JSON`, {
      details: 'Fix package.json (it must be a JSON object) and run `pipewright init` again.',
      cause,
    })
  }
}

function managerFromField(field: unknown): PackageManager | undefined {
  if (typeof field !== 'string') return undefined
  const name = field.split('@')[0]
  return name === 'npm' || name === 'pnpm' || name === 'yarn' || name === 'bun' ? name : undefined
}

/**
 * Inspects a project directory for `pipewright init`: its package manager (from the lockfile,
 * then package.json `packageManager`, else npm) and which of lint/typecheck/test/build it scripts.
 */
export async function detectProject(dir: string): Promise<ProjectInfo> {
  const pkg = await readPackageJson(dir)
  const info: ProjectInfo = {
    dir,
    name: typeof pkg?.name === 'string' && pkg.name.length > 0 ? pkg.name : basename(dir),
    hasPackageJson: pkg !== undefined,
    scripts: [],
    eslint: false,
    coverage: false,
    sources: [],
  }
  if (!pkg) return info
  const pinned = pinnedManager(pkg.packageManager)
  if (pinned) info.pinned = pinned

  for (const [file, manager] of LOCKFILES) {
    if (await exists(join(dir, file))) {
      info.packageManager = manager
      info.lockfile = file
      break
    }
  }
  info.packageManager ??= managerFromField(pkg.packageManager) ?? 'npm'
  if (info.packageManager === 'yarn') info.yarnBerry = await exists(join(dir, '.yarnrc.yml'))

  const scripts = typeof pkg.scripts === 'object' && pkg.scripts !== null ? (pkg.scripts as Record<string, unknown>) : {}
  for (const name of KNOWN_SCRIPTS) {
    const body = scripts[name]
    if (typeof body !== 'string' || body.trim() === '') continue
    if (name === 'test' && PLACEHOLDER_TEST.test(body)) continue
    info.scripts.push(name)
  }
  const deps = { ...record(pkg.dependencies), ...record(pkg.devDependencies) }
  const testScript = typeof scripts.test === 'string' ? scripts.test : ''
  const runner = detectTestRunner(testScript, deps)
  if (runner && info.scripts.includes('test')) info.testRunner = runner
  info.eslint = 'eslint' in deps || (typeof scripts.lint === 'string' && /\beslint\b/.test(scripts.lint))
  info.coverage = runner === 'vitest' ? '@vitest/coverage-v8' in deps || '@vitest/coverage-istanbul' in deps : runner === 'node' ? 'c8' in deps : false
  const output = buildOutputDir(pkg)
  if (output && info.scripts.includes('build')) info.buildOutput = output
  info.sources = await sourceGlobs(dir, info.lockfile, info.buildOutput)
  return info
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

function pinnedManager(field: unknown): ProjectInfo['pinned'] {
  if (typeof field !== 'string') return undefined
  const match = /^(npm|pnpm|yarn|bun)@(\d+\.\d+\.\d+[^+\s]*)/.exec(field)
  return match ? { name: match[1] as PackageManager, version: match[2]! } : undefined
}

/** The test script says which runner first (`vitest run`, `jest`, `node --test`); dependencies second. */
function detectTestRunner(script: string, deps: Record<string, unknown>): ProjectInfo['testRunner'] {
  if (/\bvitest\b/.test(script)) return 'vitest'
  if (/\bjest\b/.test(script)) return 'jest'
  if (/\bnode\b[^&|;]*\s--test\b/.test(script)) return 'node'
  if (/\b(mocha|tape|ava|tap|karma|playwright|cypress)\b/.test(script)) return undefined
  if ('vitest' in deps) return 'vitest'
  if ('jest' in deps) return 'jest'
  return undefined
}

/** Build output, generated and tool directories: never sources, never cache inputs. */
const NOT_SOURCES = new Set(['node_modules', 'dist', 'build', 'out', 'lib-cov', 'coverage', 'tmp', 'temp', 'reports', 'target'])
const SOURCE_FILE = /\.(?:[cm]?[jt]sx?|json|ya?ml|toml)$/
const LOCKFILE_NAMES = new Set(LOCKFILES.map(([file]) => file))

/**
 * What a change to the project's code touches, as cache-input globs: package.json, the lockfile,
 * each top-level directory but build output and tool state (`src/**`), and top-level code and
 * config files (`eslint.config.js`, `tsconfig.json`). Listed by name, so files a run creates
 * (a lockfile `npm install` writes, `dist/`) never change the key of the next run.
 */
async function sourceGlobs(dir: string, lockfile: string | undefined, buildOutput: string | undefined): Promise<string[]> {
  const globs = ['package.json', ...(lockfile ? [lockfile] : [])]
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))
  for (const entry of entries) {
    if (entry.name.startsWith('.') && !/^\.(eslintrc|c8rc|nycrc|babelrc|swcrc)/.test(entry.name)) continue
    if (entry.isDirectory() && !NOT_SOURCES.has(entry.name) && entry.name !== buildOutput) globs.push(`${entry.name}/**`)
    else if (entry.isFile() && SOURCE_FILE.test(entry.name) && entry.name !== 'package.json' && !LOCKFILE_NAMES.has(entry.name) && entry.name !== STARTER_FILE) globs.push(entry.name)
  }
  return globs
}

/** `dist` when package.json's main, module, bin or exports point into `dist/` (or build/, lib/ …). */
function buildOutputDir(pkg: Record<string, unknown>): string | undefined {
  const targets = JSON.stringify([pkg.main, pkg.module, pkg.bin, pkg.exports, pkg.types].filter((v) => v !== undefined))
  const match = /"(?:\.\/)?(dist|build|out|lib)\//.exec(targets)
  return match?.[1]
}
