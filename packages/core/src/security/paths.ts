import { realpath } from 'node:fs/promises'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { PipewrightError } from '@pipewright/plugin-api'

/** Resolves `rel` under `root`, refusing absolute paths, `..` and symlinks that lead outside. */
export async function confinePath(root: string, rel: string, what: string): Promise<string> {
  if (isAbsolute(rel) || rel.split(/[\\/]/).includes('..')) {
    throw new PipewrightError('PW_ERR_PATH_ESCAPE', `${what} "${rel}" is outside the workspace ${root}`)
  }
  const full = resolve(root, rel)
  let real: string
  try {
    real = await realpath(full)
  } catch {
    return full
  }
  const realRoot = await realpath(root)
  const r = relative(realRoot, real)
  if (r === '..' || r.startsWith(`..${sep}`) || isAbsolute(r)) {
    throw new PipewrightError('PW_ERR_PATH_ESCAPE', `${what} "${rel}" resolves through a symlink to ${real}, outside the workspace ${realRoot}`)
  }
  return full
}

/**
 * Why a glob could match outside the directory it is relative to — absolute (`/x`, `C:/x`, or
 * `{/x,y}`) or with a `..` segment (also inside braces: `{..,src}/x`) — or undefined if it cannot.
 * A leading `!` (an exclusion) is checked like the rest.
 */
export function globEscape(pattern: string): string | undefined {
  const p = pattern.replace(/^!/, '')
  if (isAbsolute(p) || /^[A-Za-z]:/.test(p) || /[{,][\\/]/.test(p)) return 'is an absolute path'
  if (/(^|[\\/{,])\.\.(?=$|[\\/},])/.test(p)) return 'has a .. segment'
  return undefined
}

