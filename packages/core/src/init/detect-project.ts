import { access, readFile } from 'node:fs/promises'
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
  }
  if (!pkg) return info

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
  return info
}
