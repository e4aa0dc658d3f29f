import { createHash } from 'node:crypto'
import type { Pool } from 'pg'
import { PipewrightError } from '@pipewright/plugin-api'
import type { BlobStore } from '@pipewright/store-api'

type Guard = <T>(action: string, work: () => Promise<T>) => Promise<T>

/**
 * Content-addressed files in the `blobs` table (BYTEA), so every worker and server that reaches
 * the database reaches the files too. A put names the SHA-256 it expects; content that does not
 * match is refused, so a blob can never hold the wrong bytes.
 */
export function createBlobs(pool: Pool, guard: Guard): BlobStore {
  return {
    put: (digest, content) => guard('putBlob', async () => {
      const actual = `sha256:${createHash('sha256').update(content).digest('hex')}`
      if (actual !== digest) throw new PipewrightError('PW_ERR_STORE', `Blob ${digest} does not match its content (${actual})`, { details: 'Pass the sha256 digest of the exact bytes stored.' })
      await pool.query('INSERT INTO blobs (digest, size, content, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (digest) DO NOTHING', [digest, content.length, content, Date.now()])
    }),
    get: (digest) => guard('getBlob', async () => {
      const { rows } = await pool.query<{ content: Buffer }>('SELECT content FROM blobs WHERE digest = $1', [digest])
      return rows[0]?.content
    }),
    has: (digests) => guard('hasBlobs', async () => {
      const { rows } = await pool.query<{ digest: string }>('SELECT digest FROM blobs WHERE digest = ANY($1)', [[...digests]])
      return new Set(rows.map((row) => row.digest))
    }),
  }
}
