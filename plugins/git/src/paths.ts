import { realpathSync } from 'node:fs'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { PipewrightError } from '@pipewright/plugin-api'

/**
 * Resolves `path` inside `root`, refusing absolute paths, `..` and symlinks that lead out of it.
 * `field` names the config field for the message (e.g. `stages.checkout.with.path`).
 */
export function confinePath(root: string, path: string, field: string): string {
  const escape = () =>
    new PipewrightError('PW_ERR_PATH_ESCAPE', `${field} "${path}" leaves the workspace ${root}`, {
      details: 'Use a relative path inside the workspace, without `..` or symlinks that point outside it.',
    })
  if (isAbsolute(path) || path.split(/[\\/]/).includes('..')) throw escape()
  const target = resolve(root, path)
  if (!isInside(root, target)) throw escape()
  const realRoot = realpathSync(root)
  if (!isInside(realRoot, realExisting(target))) throw escape()
  return target
}

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target)
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))
}

/** The real path of the nearest existing ancestor, joined with the part that does not exist yet. */
function realExisting(target: string): string {
  let current = target
  const rest: string[] = []
  for (;;) {
    try {
      return resolve(realpathSync(current), ...rest.reverse())
    } catch {
      const parent = dirname(current)
      if (parent === current) return target
      rest.push(current.slice(parent.length).replace(/^[\\/]/, ''))
      current = parent
    }
  }
}
