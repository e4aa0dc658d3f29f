import { constants, readdir, readdirSync, type Dirent } from 'node:fs'
import { open, readlink, realpath } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative, sep } from 'node:path'
import type { Hash } from 'node:crypto'
import { glob, type GlobOptions } from 'tinyglobby'
import { PipewrightError } from '@pipewright/plugin-api'
import { confinePath, globEscape } from '../security/paths.js'

const CHUNK = 256 * 1024
// O_NONBLOCK: opening a FIFO that replaced a file meanwhile must not wait for a writer.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK

type ReaddirCallback = (error: NodeJS.ErrnoException | null, entries: Dirent[]) => void

/** A symbolic link presented as a plain file: the glob reports it and never looks behind it. */
function linkAsFile(entry: Dirent): Dirent {
  if (!entry.isSymbolicLink()) return entry
  return Object.assign(Object.create(entry) as Dirent, { isFile: () => true, isSymbolicLink: () => false, isDirectory: () => false })
}

// The glob's view of the file system: symbolic links are leaves, so it never walks through one.
// (tinyglobby types `fs` as the whole module; it calls only these two.)
const noFollowFs = {
  readdir: (path: string, options: { withFileTypes: true }, callback: ReaddirCallback) =>
    readdir(path, options, (error, entries) => callback(error, error ? entries : entries.map(linkAsFile))),
  readdirSync: (path: string, options: { withFileTypes: true }) => readdirSync(path, options).map(linkAsFile),
} as unknown as GlobOptions['fs']

/** Adds one matched path to the hash: a link's target text, a regular file's bytes, or only the kind of anything else. */
async function hashEntry(hash: Hash, root: string, file: string, buffer: Buffer, signal?: AbortSignal): Promise<void> {
  const full = join(root, file)
  let handle
  try {
    handle = await open(full, OPEN_FLAGS)
  } catch (error) {
    // ELOOP: the path is a symbolic link (O_NOFOLLOW); it is never followed.
    if ((error as NodeJS.ErrnoException).code !== 'ELOOP') throw error
    hash.update(`\0link\0${file}\0${await readlink(full)}\0`)
    return
  }
  try {
    const info = await handle.stat()
    if (!info.isFile()) {
      hash.update(`\0special\0${file}\0`)
      return
    }
    hash.update(`\0${file}\0`)
    for (;;) {
      if (signal?.aborted) return
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null)
      if (bytesRead === 0) return
      hash.update(buffer.subarray(0, bytesRead))
    }
  } finally {
    await handle.close()
  }
}

/** Refuses a pattern that could reach outside `root`, also through a symlinked directory. */
async function confinePattern(root: string, pattern: string): Promise<void> {
  const escape = globEscape(pattern)
  if (escape) throw new PipewrightError('PW_ERR_PATH_ESCAPE', `cache.inputs pattern "${pattern}" ${escape}: it must stay inside the working directory ${root}`)
  await confinePath(root, pattern.replace(/^!/, '').replace(/[*?{[].*$/, '') || '.', 'cache.inputs pattern')
}

/** Refuses a matched file whose directory is not really inside `root` (a symlinked directory on the way). */
async function confineDirectory(realRoot: string, full: string, checked: Set<string>): Promise<void> {
  const dir = dirname(full)
  if (checked.has(dir)) return
  const r = relative(realRoot, await realpath(dir))
  if (r === '..' || r.startsWith(`..${sep}`) || isAbsolute(r)) throw new PipewrightError('PW_ERR_PATH_ESCAPE', `cache input ${full} is outside the working directory ${realRoot}`)
  checked.add(dir)
}

/**
 * Hashes the files matched by `patterns` under `root`, in path order: regular files by content
 * (streamed), symbolic links by their target text (never followed), other special files by
 * name only. Returns false, having stopped reading, when `signal` aborts.
 */
export async function hashInputs(hash: Hash, root: string, patterns: string[], signal?: AbortSignal): Promise<boolean> {
  for (const pattern of patterns) await confinePattern(root, pattern)
  const options = { cwd: root, onlyFiles: true, dot: true, followSymbolicLinks: false, fs: noFollowFs, ignore: ['**/node_modules/**', '**/.pipewright/**'], ...(signal ? { signal } : {}) }
  const files = await glob(patterns, options).catch((error: unknown) => {
    if (signal?.aborted) return undefined
    throw error
  })
  if (!files) return false
  const realRoot = await realpath(root)
  const checked = new Set<string>()
  const buffer = Buffer.allocUnsafe(CHUNK)
  for (const file of files.sort()) {
    if (signal?.aborted) return false
    await confineDirectory(realRoot, join(root, file), checked)
    await hashEntry(hash, root, file, buffer, signal)
  }
  return !signal?.aborted
}
