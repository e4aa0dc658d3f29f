import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { createPostgresStore } from '../src/index.js'
import { POSTGRES_URL, startFixture, tempSchema } from './helpers.js'

describe('environment locks across processes', () => {
  it('never lets two contending processes hold an environment\'s lock at once, and serves both', async () => {
    const { schema, cleanup } = await tempSchema()
    const setup = await createPostgresStore({ url: POSTGRES_URL, schema, poolSize: 1 })
    const db = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` })
    await db.connect()
    try {
      await db.query('CREATE TABLE critical (n BIGSERIAL PRIMARY KEY, who TEXT NOT NULL, action TEXT NOT NULL)')
      const rounds = 10
      const lockers = ['a', 'b'].map((name) => startFixture('locker.ts', [POSTGRES_URL, schema, name, String(rounds)]))
      for (const result of await Promise.all(lockers.map((l) => l.exited))) expect(result, result.stderr).toMatchObject({ code: 0, stdout: 'done\n' })

      const { rows } = await db.query<{ who: string; action: string }>('SELECT who, action FROM critical ORDER BY n')
      expect(rows).toHaveLength(2 * 2 * rounds)
      // Every enter is followed by the same locker's exit before anyone enters again.
      for (let i = 0; i < rows.length; i += 2) {
        expect(rows[i]).toMatchObject({ action: 'enter' })
        expect(rows[i + 1]).toEqual({ who: rows[i]!.who, action: 'exit' })
      }
      expect(new Set(rows.map((row) => row.who))).toEqual(new Set(['a', 'b']))
      expect(await setup.getEnvironmentLock('production')).toEqual({ environment: 'production', queue: [] })
    } finally {
      await db.end()
      await setup.close()
      await cleanup()
    }
  }, 180_000)
})
