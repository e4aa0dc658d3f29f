import { mkdtemp, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url))
export const REPO_ROOT = path.resolve(FIXTURES, '../../../..')

/**
 * A scratch project outside the repository whose `node_modules` links to the repository's, so
 * the project-local eslint / typescript resolve as they would in a real checkout.
 */
export async function makeScratchProject(withNodeModules = true): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pw-linter-test-'))
  if (withNodeModules) await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir')
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}
