import { createHash, randomBytes } from 'node:crypto'
import { cp, lstat, mkdir, readdir, readFile, readlink, realpath, rename, rm, stat } from 'node:fs/promises'
import { isAbsolute, join, relative } from 'node:path'
import { PipewrightError } from '@pipewright/plugin-api'

/** A directory name for a version: its safe characters, then a content digest. */
function releaseName(version: string, digest: string): string {
  return `${version.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60)}-${digest.slice(0, 16)}`
}

async function digestTree(root: string): Promise<string> {
  const hash = createHash('sha256')
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir)).sort()
    for (const name of entries) {
      const path = join(dir, name)
      const rel = relative(root, path)
      const st = await lstat(path)
      if (st.isSymbolicLink()) hash.update(`l\0${rel}\0${await readlink(path)}\0`)
      else if (st.isDirectory()) {
        hash.update(`d\0${rel}\0`)
        await walk(path)
      } else hash.update(`f\0${rel}\0${st.mode & 0o111 ? 'x' : '-'}\0`).update(await readFile(path)).update('\0')
    }
  }
  await walk(root)
  return hash.digest('hex')
}

const copying = new Map<string, Promise<string>>()

/** Whether `path` is strictly inside `dir`. */
function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
}

const COPY = { recursive: true, verbatimSymlinks: true, preserveTimestamps: true } as const

/**
 * Copies `source` to `dest`, leaving out the `excluded` paths inside it: a deploy `from: .` must
 * not copy the releases directory into itself, nor Pipewright's own state (`.pipewright/`).
 */
async function copyTree(source: string, dest: string, excluded: string[]): Promise<void> {
  if (!excluded.some((path) => isInside(source, path))) return cp(source, dest, COPY)
  await mkdir(dest, { recursive: true, mode: (await stat(source)).mode & 0o777 })
  for (const name of await readdir(source)) {
    const path = join(source, name)
    if (excluded.includes(path)) continue
    if (excluded.some((ex) => isInside(path, ex)) && (await lstat(path)).isDirectory()) await copyTree(path, join(dest, name), excluded)
    else await cp(path, join(dest, name), COPY)
  }
}

/**
 * Copies a build's artifact directory to `<releasesDir>/<environment>/<version>-<digest>` and
 * returns that path. The copy is what instances run, so a later build writing the same
 * directory never changes a running version. A copy with the same content is reused. The
 * releases directory and a `.pipewright/` directory inside the source are left out of the copy.
 */
export async function stageRelease(releasesDir: string, environment: string, version: string, source: string): Promise<string> {
  const st = await stat(source).catch(() => undefined)
  if (!st?.isDirectory()) {
    throw new PipewrightError('PW_ERR_DEPLOY_ARTIFACTS', `deploy/process: the artifact directory ${source} of version ${version} does not exist`, {
      details: 'Deploy from the directory a build stage produced (it must still exist when the deployment starts).',
    })
  }
  const envDir = join(releasesDir, environment)
  await mkdir(envDir, { recursive: true })
  const tmp = join(envDir, `.incoming-${randomBytes(4).toString('hex')}`)
  try {
    const from = await realpath(source)
    await copyTree(from, tmp, [await realpath(releasesDir), join(from, '.pipewright')])
    const final = join(envDir, releaseName(version, await digestTree(tmp)))
    let pending = copying.get(final)
    if (!pending) {
      pending = (async () => {
        if (await stat(final).catch(() => undefined)) return final
        await rename(tmp, final).catch((error: NodeJS.ErrnoException) => {
          // Another agent process staged the same content first: theirs is as good as ours.
          if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error
        })
        return final
      })()
      copying.set(final, pending)
      pending.finally(() => copying.delete(final)).catch(() => undefined)
    }
    return await pending
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}
