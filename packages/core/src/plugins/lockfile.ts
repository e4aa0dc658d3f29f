import { createHash } from 'node:crypto'
import { lstat, readFile, readdir, readlink, rename, writeFile } from 'node:fs/promises'
import { dirname, join, relative, sep } from 'node:path'
import { PipewrightError, z } from '@pipewright/plugin-api'

/** The lock file's name; it sits next to the pipeline file. */
export const LOCK_FILE_NAME = 'pipewright.lock'
const LOCKFILE_VERSION = 1

/** A plugin package found on disk: what `plugins:` said, and what it resolved to. */
export interface ResolvedPluginPackage {
  /** The entry as written in `plugins:` (package name). */
  spec: string
  name: string
  version: string
  /** The package's directory. */
  dir: string
}

/** One pinned plugin in `pipewright.lock`. */
export interface LockEntry {
  name: string
  version: string
  /** `sha512-<base64>` over the package's files (see `computePackageIntegrity`). */
  integrity: string
  spec: string
}

/** A difference between the lock and the installed plugins. */
export interface PinChange {
  name: string
  /** The pinned value (version or integrity, by `reason`); null for a new plugin. */
  expected: string | null
  actual: string
  reason: 'integrity' | 'version' | 'new'
}

export interface CheckPinsOptions {
  /** Re-pin plugins whose files or version changed instead of refusing them (`pipewright plugins update`). */
  update: boolean
}

const lockSchema = z.strictObject({
  lockfileVersion: z.literal(LOCKFILE_VERSION),
  plugins: z.record(
    z.string(),
    z.strictObject({ name: z.string(), version: z.string(), integrity: z.string().regex(/^sha512-[A-Za-z0-9+/]+=*$/), spec: z.string() }),
  ),
})

/** `pipewright.lock` for a pipeline file. */
export function lockFileFor(pipelineFile: string): string {
  return join(dirname(pipelineFile), LOCK_FILE_NAME)
}

async function listFiles(root: string, dir: string, out: string[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    // Nested dependencies are pinned by the project's own package-manager lockfile, not here.
    if (entry.name === 'node_modules') continue
    const full = join(dir, entry.name)
    if (entry.isDirectory()) await listFiles(root, full, out)
    else if (entry.isFile() || entry.isSymbolicLink()) out.push(relative(root, full).split(sep).join('/'))
  }
}

/**
 * Hashes a package directory: the sorted relative paths and contents of its files, without
 * nested `node_modules`. Each file contributes `path NUL size NUL content`, so moving bytes between
 * files or renaming one changes the hash. A symlink contributes its target, not what it points to.
 */
export async function computePackageIntegrity(dir: string): Promise<string> {
  const files: string[] = []
  await listFiles(dir, dir, files)
  files.sort()
  const hash = createHash('sha512')
  for (const file of files) {
    const full = join(dir, file)
    const content = (await lstat(full)).isSymbolicLink() ? Buffer.from(`symlink:${await readlink(full)}`) : await readFile(full)
    hash.update(`${file}\0${content.length}\0`)
    hash.update(content)
  }
  return `sha512-${hash.digest('base64')}`
}

/** Reads `pipewright.lock`; a missing file is an empty lock. */
export async function readLock(file: string): Promise<LockEntry[]> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new PipewrightError('PW_ERR_INPUT_FILE', `Cannot read ${file}: ${(error as Error).message}`, { cause: error })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new PipewrightError('PW_ERR_INPUT_FILE', `${file} is not valid JSON: ${(error as Error).message}`, {
      details: `Delete ${file} and run \`pipewright plugins update\` to pin the installed plugins again.`,
      cause: error,
    })
  }
  const parsed = lockSchema.safeParse(json)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, file }))
    throw new PipewrightError('PW_ERR_INPUT_FILE', `${file} is not a valid lock file (lockfileVersion ${LOCKFILE_VERSION})`, {
      details: `Delete ${file} and run \`pipewright plugins update\` to pin the installed plugins again.`,
      problems,
    })
  }
  return Object.values(parsed.data.plugins)
}

/** Writes `pipewright.lock` with a stable key order, so it diffs cleanly in review. */
export async function writeLock(file: string, entries: LockEntry[]): Promise<void> {
  const plugins: Record<string, LockEntry> = {}
  for (const e of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    plugins[e.name] = { name: e.name, version: e.version, integrity: e.integrity, spec: e.spec }
  }
  const text = `${JSON.stringify({ lockfileVersion: LOCKFILE_VERSION, plugins }, null, 2)}\n`
  // Write then rename, so a crash never leaves half a lock behind.
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, text)
  await rename(tmp, file)
}

/**
 * Compares the installed plugin packages with `pipewright.lock`. New plugins are pinned (and the
 * lock written); a plugin whose version or files changed is refused with PW_ERR_PLUGIN_INTEGRITY,
 * unless `update` is set, which re-pins it and drops entries for plugins no longer used.
 */
export async function checkPins(
  lockFile: string,
  resolved: ResolvedPluginPackage[],
  options: CheckPinsOptions,
): Promise<{ entries: LockEntry[]; changed: PinChange[] }> {
  const pinned = new Map((await readLock(lockFile)).map((e) => [e.name, e]))
  const next = new Map(options.update ? [] : pinned)
  const changed: PinChange[] = []
  for (const pkg of resolved) {
    const integrity = await computePackageIntegrity(pkg.dir)
    const entry: LockEntry = { name: pkg.name, version: pkg.version, integrity, spec: pkg.spec }
    const old = pinned.get(pkg.name)
    if (!old) changed.push({ name: pkg.name, expected: null, actual: pkg.version, reason: 'new' })
    else if (old.version !== pkg.version) changed.push({ name: pkg.name, expected: old.version, actual: pkg.version, reason: 'version' })
    else if (old.integrity !== integrity) changed.push({ name: pkg.name, expected: old.integrity, actual: integrity, reason: 'integrity' })
    next.set(pkg.name, entry)
  }
  const refused = changed.filter((c) => c.reason !== 'new')
  if (refused.length > 0 && !options.update) {
    const lines = refused.map((c) =>
      c.reason === 'version'
        ? `${c.name}: pinned version ${c.expected}, installed ${c.actual}`
        : `${c.name}: files differ from the pinned integrity (pinned ${short(c.expected)}, installed ${short(c.actual)})`,
    )
    throw new PipewrightError('PW_ERR_PLUGIN_INTEGRITY', `Plugins do not match ${lockFile}:\n  ${lines.join('\n  ')}`, {
      details: 'If you changed or upgraded these plugins on purpose, run `pipewright plugins update` to re-pin them; otherwise reinstall them (e.g. `npm ci`).',
    })
  }
  const entries = [...next.values()]
  const staleDropped = options.update && [...pinned.keys()].some((name) => !next.has(name))
  if (changed.length > 0 || staleDropped) await writeLock(lockFile, entries)
  return { entries: entries.sort((a, b) => (a.name < b.name ? -1 : 1)), changed }
}

function short(integrity: string | null): string {
  return integrity ? `${integrity.slice(0, 19)}…` : 'none'
}

export type PinStatus = 'pinned' | 'new' | 'version' | 'integrity'

/** How each installed plugin compares with `pipewright.lock`, without changing anything. */
export async function pinStatuses(lockFile: string, resolved: ResolvedPluginPackage[]): Promise<Array<{ name: string; version: string; status: PinStatus }>> {
  const pinned = new Map((await readLock(lockFile)).map((e) => [e.name, e]))
  const out: Array<{ name: string; version: string; status: PinStatus }> = []
  for (const pkg of resolved) {
    const old = pinned.get(pkg.name)
    const status: PinStatus = !old ? 'new' : old.version !== pkg.version ? 'version' : old.integrity !== (await computePackageIntegrity(pkg.dir)) ? 'integrity' : 'pinned'
    out.push({ name: pkg.name, version: pkg.version, status })
  }
  return out
}
