import { lstat, mkdir, realpath } from 'node:fs/promises'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { PipewrightError } from '@pipewright/plugin-api'

const inside = (root: string, path: string) => {
  const rel = relative(root, path)
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))
}

/**
 * Where a relative `path` lives under `root`, its directory created: refused (PW_ERR_PATH_ESCAPE)
 * when it — or a symlink on the way — leads outside `root`, or when the file itself is a symlink.
 */
export async function confinedFile(root: string, path: string): Promise<string> {
  const escape = (why: string) => new PipewrightError('PW_ERR_PATH_ESCAPE', `notification/file: ${path} ${why}`, {
    details: `Use a path inside ${root} without .. or symlinks that leave it, or an absolute path.`,
  })
  const realRoot = await realpath(root)
  const target = resolve(realRoot, path)
  if (!inside(realRoot, target)) throw escape(`is outside the pipeline directory ${root}`)
  await mkdir(dirname(target), { recursive: true })
  if (!inside(realRoot, await realpath(dirname(target)))) throw escape('leads outside the pipeline directory through a symlink')
  const stat = await lstat(target).catch(() => undefined)
  if (stat?.isSymbolicLink()) throw escape('is a symlink; notifications are appended only to a regular file')
  return target
}
