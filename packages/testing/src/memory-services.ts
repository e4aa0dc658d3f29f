import { createHash } from 'node:crypto'
import { readFile, realpath, stat } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { glob } from 'tinyglobby'
import { PipewrightError, type ArtifactWriter, type RecordQuery, type RunRecords, type StoredArtifact, type StoredRecord } from '@pipewright/plugin-api'

const digestOf = (content: string | Uint8Array) => `sha256:${createHash('sha256').update(content).digest('hex')}`

/** Artifacts kept in memory; paths are confined to the workspace like the engine's. */
export function createMemoryArtifacts(workspace: string, stageId: string): ArtifactWriter & { contents: Map<string, Buffer> } {
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
      return keep(name, Buffer.from(content))
    },
    list: () => [...stored],
  }
}

/** Records kept in memory; `history` seeds what earlier runs saved (newest first). */
export function createMemoryRecords(runId: string, stageId: string, history: StoredRecord[] = []): RunRecords & { saved: StoredRecord[] } {
  const saved: StoredRecord[] = []
  const match = (r: StoredRecord, kind: string, q: RecordQuery = {}, defaultStatus?: string) => {
    const wantStage = q.stageId ?? stageId
    const wantStatus = q.runStatus ?? defaultStatus
    return r.kind === kind && (wantStage === '*' || r.stageId === wantStage) && (!q.branch || r.branch === q.branch) && (!wantStatus || r.runStatus === wantStatus)
  }
  return {
    saved,
    async save(kind, data) {
      const i = saved.findIndex((r) => r.kind === kind && r.stageId === stageId)
      if (i >= 0) saved.splice(i, 1)
      saved.push({ runId, stageId, kind, data: structuredClone(data), createdAt: Date.now(), runStatus: 'running' })
    },
    async get<T>(kind: string, query: Pick<RecordQuery, 'stageId'> = {}) {
      return saved.find((r) => match(r, kind, query))?.data as T | undefined
    },
    async previous<T>(kind: string, query: RecordQuery = {}) {
      return history.find((r) => match(r, kind, query, 'succeeded')) as StoredRecord<T> | undefined
    },
    async history<T>(kind: string, query: RecordQuery = {}) {
      return history.filter((r) => match(r, kind, query)).slice(0, query.limit ?? Infinity) as StoredRecord<T>[]
    },
  }
}
