import { createHash } from 'node:crypto'
import { readFile, realpath, stat } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { glob } from 'tinyglobby'
import { PipewrightError, type ArtifactWriter, type StoredArtifact } from '@pipewright/plugin-api'

const digestOf = (content: string | Uint8Array) => `sha256:${createHash('sha256').update(content).digest('hex')}`

/**
 * Artifacts kept in memory; paths are confined to the workspace like the engine's, and text
 * written with `write` is redacted like the engine's (`redact`, identity by default).
 */
export function createMemoryArtifacts(workspace: string, stageId: string, redact: (text: string) => string = (t) => t): ArtifactWriter & { contents: Map<string, Buffer> } {
  const stored: StoredArtifact[] = []
  const contents = new Map<string, Buffer>()
  const keep = (path: string, content: Buffer) => {
    const artifact = { path, digest: digestOf(content), size: content.length }
    const i = stored.findIndex((a) => a.path === path)
    if (i >= 0) stored.splice(i, 1)
    stored.push(artifact)
    contents.set(path, content)
    return artifact
  }
  return {
    contents,
    async add(patternOrPath) {
      const patterns = Array.isArray(patternOrPath) ? patternOrPath : [patternOrPath]
      for (const p of patterns) {
        if (p.startsWith('/') || p.split(/[\\/]/).includes('..')) {
          throw new PipewrightError('PW_ERR_PATH_ESCAPE', `Stage ${stageId}: artifact path "${p}" leaves the workspace`)
        }
      }
      const root = await realpath(workspace)
      const files = await glob(patterns, { cwd: root, onlyFiles: true, dot: true })
      const added: StoredArtifact[] = []
      for (const file of files.sort()) {
        const real = await realpath(join(root, file))
        if (relative(root, real).startsWith('..')) {
          throw new PipewrightError('PW_ERR_PATH_ESCAPE', `Stage ${stageId}: artifact "${file}" is a symlink out of the workspace`)
        }
        if (!(await stat(real)).isFile()) continue
        added.push(keep(file.split(sep).join('/'), await readFile(real)))
      }
      return added
    },
    async write(name, content) {
      return keep(name, Buffer.from(typeof content === 'string' ? redact(content) : content))
    },
    list: () => [...stored],
  }
}
