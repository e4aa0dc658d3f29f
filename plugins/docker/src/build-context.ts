import { createHash } from 'node:crypto'
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises'
import { join, relative, resolve, sep } from 'node:path'
import type { Readable } from 'node:stream'
import dockerignore from '@balena/dockerignore'
import { PipewrightError } from '@pipewright/plugin-api'
import tar from 'tar-fs'

/** A build context checked to lie inside the workspace, with its Dockerfile. */
export interface ResolvedContext {
  /** Absolute, symlinks resolved. */
  dir: string
  /** Absolute path of the Dockerfile. */
  dockerfile: string
  /** Dockerfile path inside the context, with forward slashes (what the engine gets). */
  dockerfileInContext: string
  /** `sha256:<hex>` of the Dockerfile. */
  dockerfileDigest: string
  /** The Dockerfile's text. */
  dockerfileText: string
}

function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child)
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep))
}

async function realpathOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await realpath(path)
  } catch {
    return undefined
  }
}

/**
 * Resolves `context` against the workspace and `dockerfile` against the context; both must stay
 * inside the workspace also after following symlinks.
 */
export async function resolveBuildContext(workspace: string, context: string, dockerfile: string, where: string): Promise<ResolvedContext> {
  const root = await realpath(workspace)
  const dir = await realpathOrUndefined(resolve(root, context))
  if (dir === undefined || !(await stat(dir)).isDirectory()) {
    throw new PipewrightError('PW_ERR_DOCKER_BUILD', `${where}: build context "${context}" is not a directory in ${root}`, {
      details: 'Set `with.context` to a directory inside the workspace (default ".").',
    })
  }
  if (!isInside(root, dir)) {
    throw new PipewrightError('PW_ERR_PATH_ESCAPE', `${where}: build context "${context}" resolves to ${dir}, outside the workspace ${root}`, {
      details: 'Use a directory inside the workspace; symlinks that leave it are not followed.',
    })
  }
  const wanted = resolve(dir, dockerfile)
  const file = await realpathOrUndefined(wanted)
  if (file === undefined || !(await stat(file)).isFile()) {
    throw new PipewrightError('PW_ERR_DOCKER_BUILD', `${where}: Dockerfile not found at ${wanted}`, {
      details: `Create it, or set \`with.dockerfile\` to its path relative to the context "${context}".`,
    })
  }
  if (!isInside(dir, file)) {
    throw new PipewrightError('PW_ERR_PATH_ESCAPE', `${where}: Dockerfile "${dockerfile}" resolves to ${file}, outside the build context ${dir}`, {
      details: 'Keep the Dockerfile inside the build context; the engine only sees files in it.',
    })
  }
  const content = await readFile(file)
  return {
    dir,
    dockerfile: file,
    dockerfileInContext: relative(dir, file).split(sep).join('/'),
    dockerfileDigest: `sha256:${createHash('sha256').update(content).digest('hex')}`,
    dockerfileText: content.toString('utf8'),
  }
}

/**
 * Packs the context as a tar stream, leaving out what `.dockerignore` excludes (as `docker build`
 * does: a file under an excluded directory is still sent when an exception (`!path`) keeps it).
 * The entries are listed first and handed to the packer one by one, so a file that disappears
 * before it is read fails the stream instead of ending the archive early.
 */
export async function packBuildContext(context: ResolvedContext): Promise<Readable> {
  let ignored: (rel: string) => boolean = () => false
  let exceptions = false
  const rules = await readFile(resolve(context.dir, '.dockerignore'), 'utf8').catch(() => undefined)
  if (rules !== undefined) {
    // The package's types declare an ES default export; at runtime it is module.exports, which also carries `.default`.
    const matcher = dockerignore.default({ ignorecase: false }).add(rules)
    // The engine needs these two even when the ignore file lists them.
    const kept = new Set([context.dockerfileInContext, '.dockerignore'])
    ignored = (rel) => !kept.has(rel) && matcher.ignores(rel)
    exceptions = rules.split(/\r?\n/).some((line) => line.trim().startsWith('!'))
  }
  const entries: string[] = []
  const walk = async (dir: string): Promise<void> => {
    for (const name of (await readdir(join(context.dir, dir))).sort()) {
      const rel = dir === '' ? name : `${dir}/${name}`
      const info = await lstat(join(context.dir, rel)).catch(() => undefined)
      if (!info) continue // gone before it was listed: not part of the context
      const skip = ignored(rel)
      if (!skip) entries.push(rel)
      // An excluded directory is walked only when an exception may keep something inside it.
      if (info.isDirectory() && (!skip || exceptions)) await walk(rel)
    }
  }
  await walk('')
  // Every entry is listed: the packer must not add a directory's contents on its own.
  return tar.pack(context.dir, { entries, ignore: () => true })
}
