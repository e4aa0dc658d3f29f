import { createHash } from 'node:crypto'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { createPostgresStore, parsePostgresUrl, redactUrl } from '../src/index.js'
import { POSTGRES_URL, tempSchema } from './helpers.js'

const digestOf = (buf: Buffer) => `sha256:${createHash('sha256').update(buf).digest('hex')}`

describe('opening a PostgreSQL store', () => {
  it('refuses a URL it cannot use with PW_ERR_STORE_URL, naming the problem and never the password', async () => {
    const cases: Array<[string, RegExp]> = [
      ['postgres:///db', /names no host/],
      ['postgres://me:hunter2@127.0.0.1:5432', /names no database/],
      ['mysql://me:hunter2@127.0.0.1/db', /scheme mysql, not postgres/],
      ['postgres://me:hunter2@127.0.0.1/db?scheme=x', /unknown parameter "scheme"/],
      ['postgres://me:hunter2@127.0.0.1/db?schema=a;drop', /not a plain name/],
      ['postgres://me:hunter2@127.0.0.1:notaport/db', /not a valid URL/],
    ]
    for (const [url, why] of cases) {
      const error = await createPostgresStore({ url }).catch((e: unknown) => e)
      expect(error, url).toMatchObject({ code: 'PW_ERR_STORE_URL', message: expect.stringMatching(why) })
      expect(JSON.stringify({ ...(error as object), message: (error as Error).message })).not.toContain('hunter2')
    }
  })

  it('says the server is unreachable (PW_ERR_STORE_UNREACHABLE) with a fix, without the password', async () => {
    const error = await createPostgresStore({ url: 'postgres://me:hunter2@127.0.0.1:1/db' }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PW_ERR_STORE_UNREACHABLE', message: expect.stringContaining('postgres://me:***@127.0.0.1:1/db'), details: expect.stringContaining('tools/services/postgres.sh') })
    expect(`${(error as Error).message} ${(error as { details: string }).details}`).not.toContain('hunter2')
    const missing = await createPostgresStore({ url: POSTGRES_URL.replace(/\/[^/]*$/, '/pw_no_such_db') }).catch((e: unknown) => e)
    expect(missing).toMatchObject({ code: 'PW_ERR_STORE_UNREACHABLE', details: expect.stringContaining('createdb') })
  })

  it('parses the pieces of a URL and masks passwords in any string', () => {
    expect(parsePostgresUrl('postgresql://u:p%40ss@db.local:6543/pw?schema=ci').config).toMatchObject({ host: 'db.local', port: 6543, user: 'u', password: 'p@ss', database: 'pw' })
    expect(parsePostgresUrl('postgres://127.0.0.1/pw').schema).toBe('public')
    expect(redactUrl('postgres://u:secret@h/d')).toBe('postgres://u:***@h/d')
    expect(redactUrl('postgres://u:sec ret@h:x/d')).not.toContain('sec')
  })

  it('migrates a schema once, records the version, reopens it, and refuses one written by a newer version unchanged', async () => {
    const { schema, cleanup } = await tempSchema()
    const db = new pg.Client({ connectionString: POSTGRES_URL })
    await db.connect()
    try {
      // Two processes' worth of stores opening a fresh schema at once migrate it once.
      const stores = await Promise.all([1, 2, 3].map(() => createPostgresStore({ url: POSTGRES_URL, schema, poolSize: 1 })))
      const versions = await db.query(`SELECT version FROM "${schema}".pipewright_migrations ORDER BY version`)
      expect(versions.rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }])
      await stores[0]!.setState('kept', 1)
      for (const store of stores) await store.close()
      await db.query(`INSERT INTO "${schema}".pipewright_migrations (version) VALUES (99)`)
      const error = await createPostgresStore({ url: POSTGRES_URL, schema }).catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'PW_ERR_STORE', message: expect.stringContaining('newer Pipewright (schema version 99') })
      expect((await db.query(`SELECT value FROM "${schema}".state`)).rows).toEqual([{ value: '1' }])
    } finally {
      await db.end()
      await cleanup()
    }
  })

  it('keeps content-addressed blobs every connection can read, and refuses content that does not match its digest', async () => {
    const { schema, cleanup } = await tempSchema()
    const writer = await createPostgresStore({ url: POSTGRES_URL, schema, poolSize: 1 })
    const reader = await createPostgresStore({ url: POSTGRES_URL, schema, poolSize: 1 })
    try {
      const content = Buffer.from([0, 1, 2, 255, ...Buffer.from('dist/app.js')])
      await writer.blobs.put(digestOf(content), content)
      await writer.blobs.put(digestOf(content), content)
      expect(await reader.blobs.get(digestOf(content))).toEqual(content)
      expect(await reader.blobs.get(digestOf(Buffer.from('other')))).toBeUndefined()
      expect(await reader.blobs.has([digestOf(content), digestOf(Buffer.from('other'))])).toEqual(new Set([digestOf(content)]))
      await expect(writer.blobs.put(digestOf(Buffer.from('x')), Buffer.from('y'))).rejects.toMatchObject({ code: 'PW_ERR_STORE' })
    } finally {
      await writer.close()
      await reader.close()
      await cleanup()
    }
  })
})
