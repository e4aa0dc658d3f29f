import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { copyFile, link, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises'
import { dirname, join, relative, sep } from 'node:path'
import { glob } from 'tinyglobby'
import { PipewrightError, type StoredArtifact } from '@pipewright/plugin-api'
import type { BlobStore } from '@pipewright/store-api'
import { confinePath } from '../security/paths.js'

/**
 * A content-addressed file store: `<dir>/sha256/<ab>/<rest>`. Given the store's shared `blobs`
 * (PostgreSQL), every file stored is also put there, and a file missing here is fetched from there:
 * the directory is then a local cache, and workers and servers on other hosts reach every file.
 */
export class ArtifactStore {
  constructor(
    readonly dir: string,
    readonly blobs?: BlobStore,
  ) {}

  pathOf(digest: string): string {
    const hex = digest.replace(/^sha256:/, '')
    return join(this.dir, 'sha256', hex.slice(0, 2), hex.slice(2))
  }

  /** Collects files matching globs inside `workspace` (confined: no escapes through `..` or symlinks). */
  async collect(workspace: string, patterns: string[]): Promise<StoredArtifact[]> {
    for (const p of patterns) await confinePath(workspace, p.replace(/[*?{[].*$/, '') || '.', 'Artifact path')
    const files = await glob(patterns, { cwd: workspace, onlyFiles: true, dot: true, followSymbolicLinks: false })
    const out: StoredArtifact[] = []
    for (const file of files.sort()) {
      const full = await confinePath(workspace, file, 'Artifact')
      out.push({ path: file.split(sep).join('/'), ...(await this.storeFile(full)) })
    }
    return out
  }

  async storeFile(file: string): Promise<{ digest: string; size: number }> {
    const hash = createHash('sha256')
    await new Promise<void>((res, rej) => {
      createReadStream(file).on('data', (c) => hash.update(c)).on('end', res).on('error', rej)
    })
    const digest = `sha256:${hash.digest('hex')}`
    const target = this.pathOf(digest)
    const { size } = await stat(file)
    if (!(await exists(target))) {
      await mkdir(dirname(target), { recursive: true })
      const tmp = `${target}.${process.pid}.tmp`
      await copyFile(file, tmp)
      await rename(tmp, target)
    }
    if (this.blobs) await this.blobs.put(digest, await readFile(target))
    return { digest, size }
  }

  async storeContent(content: string | Uint8Array): Promise<{ digest: string; size: number }> {
    const buf = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content)
    const digest = `sha256:${createHash('sha256').update(buf).digest('hex')}`
    const target = this.pathOf(digest)
    if (!(await exists(target))) {
      await mkdir(dirname(target), { recursive: true })
      const tmp = `${target}.${process.pid}.tmp`
      await writeFile(tmp, buf)
      await rename(tmp, target)
    }
    if (this.blobs) await this.blobs.put(digest, buf)
    return { digest, size: buf.length }
  }

  /** Puts stored artifacts back under `root` at their recorded paths. */
  async materialize(artifacts: StoredArtifact[], root: string): Promise<void> {
    for (const a of artifacts) {
      const target = await confinePath(root, a.path, 'Artifact')
      const source = this.pathOf(a.digest)
      if (!(await this.fetch(a.digest))) {
        throw new PipewrightError('PW_ERR_STORE', `Artifact ${a.path} (${a.digest}) is missing from ${this.dir}`, { details: 'Run the pipeline with --no-cache to rebuild it.' })
      }
      await mkdir(dirname(target), { recursive: true })
      await copyFile(source, target)
    }
  }

  async read(digest: string): Promise<Buffer> {
    await this.fetch(digest)
    return readFile(this.pathOf(digest))
  }

  /** True when the file is here, after fetching it from the shared blobs if it was not. */
  async fetch(digest: string): Promise<boolean> {
    const target = this.pathOf(digest)
    if (await exists(target)) return true
    const content = await this.blobs?.get(digest)
    if (content === undefined) return false
    await mkdir(dirname(target), { recursive: true })
    const tmp = `${target}.${process.pid}.tmp`
    await writeFile(tmp, content)
    await rename(tmp, target)
    return true
  }
}

/** Hard-links when possible (same filesystem), else copies. */
export async function linkOrCopy(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true })
  try {
    await link(from, to)
  } catch {
    await copyFile(from, to)
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p)
    return true
  } catch {
    return false
  }
}

export function relativeTo(root: string, file: string): string {
  return relative(root, file).split(sep).join('/')
}
