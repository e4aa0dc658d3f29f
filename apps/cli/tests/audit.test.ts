import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { hashAuditEntry, type AuditEntry } from '@pipewright/store-api'
import { beforeAll, describe, expect, it } from 'vitest'
import { makeProject, removeProject, runCli } from './helpers/cli.js'

// The real driver, from the store package that depends on it (the CLI does not, directly).
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
interface Db {
  prepare(sql: string): { run(...params: unknown[]): unknown; get(...params: unknown[]): unknown }
  close(): void
}
const Sqlite = createRequire(join(ROOT, 'packages/store-sqlite/package.json'))('better-sqlite3') as new (path: string) => Db

const PIPELINE = 'name: p\nstages:\n  a: { run: echo hello }\n'

interface Row { seq: number; at: number; action: string; actor: string; source: string; subject: string; data: string; prev_hash: string; hash: string }

/** A copy of the trail's home, edited behind Pipewright's back with SQL on the real file. */
function tampered(home: string, name: string, edit: (db: Db) => void): string {
  const copy = join(dirname(home), `tampered-${name}`)
  cpSync(home, copy, { recursive: true })
  const db = new Sqlite(join(copy, 'pipewright.db'))
  try {
    edit(db)
  } finally {
    db.close()
  }
  return copy
}

function rowToEntry(row: Row): AuditEntry {
  return { seq: row.seq, at: row.at, action: row.action, actor: row.actor, source: row.source, subject: JSON.parse(row.subject), data: JSON.parse(row.data), prevHash: row.prev_hash, hash: row.hash }
}

async function verify(home: string, cwd: string) {
  const r = await runCli(['--home', home, 'audit', 'verify', '--json'], { cwd })
  return { code: r.code, ...(JSON.parse(r.stdout) as { ok: boolean; problems: Array<{ seq: number; kind: string; message: string }> }) }
}

describe('pipewright audit', () => {
  let dir: string
  let home: string
  beforeAll(async () => {
    dir = await makeProject({ 'pipewright.yml': PIPELINE })
    home = join(dir, '.pipewright')
    for (let i = 0; i < 2; i++) expect((await runCli(['run', '--var', 'region=eu-west'], { cwd: dir })).code).toBe(0)
    return () => removeProject(dir)
  }, 120_000)

  it('verifies the untouched trail of two real runs, and prints its head as an anchor', async () => {
    const r = await runCli(['audit', 'verify'], { cwd: dir })
    expect(r.stderr).toBe('')
    expect(r.stdout).toMatch(/^Audit trail of .* verifies: 4 entries, head 4:[0-9a-f]{64}\.$/m)
    const head = (await runCli(['audit', 'head'], { cwd: dir })).stdout.trim()
    expect(head).toMatch(/^4:[0-9a-f]{64}$/)
    expect((await runCli(['audit', 'verify', '--anchor', head], { cwd: dir })).code).toBe(0)
  })

  it('names an altered entry (a field changed in the database)', async () => {
    const copy = tampered(home, 'altered', (db) => db.prepare("UPDATE audit SET actor = 'mallory' WHERE seq = 3").run())
    expect(await verify(copy, dir)).toMatchObject({ code: 1, ok: false, problems: [{ seq: 3, kind: 'altered', message: expect.stringContaining('entry 3 was altered') }] })
    const text = await runCli(['--home', copy, 'audit', 'verify'], { cwd: dir })
    expect(text.code).toBe(1)
    expect(text.stdout).toContain('entry 3: altered: entry 3 was altered')
    expect(text.stderr).toContain('PW_ERR_AUDIT_TAMPERED')
    expect(text.stderr).not.toMatch(/\n\s+at /)
  })

  it('names an altered entry whose hash was recomputed (the next link breaks)', async () => {
    const copy = tampered(home, 'rehashed', (db) => {
      const row = db.prepare('SELECT * FROM audit WHERE seq = 2').get() as Row
      const forged = { ...rowToEntry(row), actor: 'mallory' }
      db.prepare("UPDATE audit SET actor = 'mallory', hash = ? WHERE seq = 2").run(hashAuditEntry(forged, forged.prevHash))
    })
    expect(await verify(copy, dir)).toMatchObject({ code: 1, problems: [{ seq: 3, kind: 'removed', message: expect.stringContaining('the entry before entry 3 was removed or replaced') }] })
  })

  it('names a removed entry in the middle', async () => {
    const copy = tampered(home, 'removed', (db) => db.prepare('DELETE FROM audit WHERE seq = 2').run())
    expect(await verify(copy, dir)).toMatchObject({ code: 1, problems: [{ seq: 2, kind: 'removed', message: 'entry 2 was removed: entry 3 links to an entry that is not in the log' }] })
  })

  it('names an inserted entry, even one with a valid hash and an updated head', async () => {
    const copy = tampered(home, 'inserted', (db) => {
      const previous = rowToEntry(db.prepare('SELECT * FROM audit WHERE seq = 2').get() as Row)
      for (const seq of [4, 3]) db.prepare('UPDATE audit SET seq = seq + 1 WHERE seq = ?').run(seq)
      const forged = { at: previous.at + 1, action: 'approval.approved', actor: 'mallory', source: 'cli', subject: {}, data: {} }
      const hash = hashAuditEntry(forged, previous.hash)
      db.prepare("INSERT INTO audit (seq, at, action, actor, source, subject, data, prev_hash, hash) VALUES (3, ?, ?, ?, ?, '{}', '{}', ?, ?)").run(forged.at, forged.action, forged.actor, forged.source, previous.hash, hash)
      const last = db.prepare('SELECT hash FROM audit WHERE seq = 5').get() as { hash: string }
      db.prepare("UPDATE state SET value = ? WHERE key = 'pipewright:audit-head'").run(JSON.stringify({ seq: 5, hash: last.hash }))
    })
    expect(await verify(copy, dir)).toMatchObject({ code: 1, problems: [{ seq: 3, kind: 'inserted', message: 'entry 3 was inserted: entry 4 was written right after the entry before it' }] })
  })

  it('names reordered entries', async () => {
    const copy = tampered(home, 'reordered', (db) => {
      db.prepare('UPDATE audit SET seq = 100 WHERE seq = 2').run()
      db.prepare('UPDATE audit SET seq = 2 WHERE seq = 3').run()
      db.prepare('UPDATE audit SET seq = 3 WHERE seq = 100').run()
    })
    const result = await verify(copy, dir)
    expect(result.code).toBe(1)
    expect(result.problems.filter((p) => p.kind === 'reordered').map((p) => p.seq)).toEqual([2, 3, 4])
    expect(result.problems[0]!.message).toBe('entry 2 is out of order: it was written right after entry 3, not after entry 1')
  })

  it('names entries removed from the end against the recorded head, and against an anchor when the head was rewritten too', async () => {
    const truncated = tampered(home, 'truncated', (db) => db.prepare('DELETE FROM audit WHERE seq >= 3').run())
    expect(await verify(truncated, dir)).toMatchObject({ code: 1, problems: [{ seq: 3, kind: 'truncated', message: 'entries 3 to 4 were removed from the end: the recorded head is entry 4, the log ends at entry 2' }] })

    const anchor = (await runCli(['audit', 'head'], { cwd: dir })).stdout.trim()
    const rewritten = tampered(home, 'rewritten', (db) => {
      const last = db.prepare('SELECT hash FROM audit WHERE seq = 3').get() as { hash: string }
      db.prepare('DELETE FROM audit WHERE seq = 4').run()
      db.prepare("UPDATE state SET value = ? WHERE key = 'pipewright:audit-head'").run(JSON.stringify({ seq: 3, hash: last.hash }))
    })
    expect(await verify(rewritten, dir)).toMatchObject({ code: 0, ok: true })
    const r = await runCli(['--home', rewritten, 'audit', 'verify', '--json', '--anchor', anchor], { cwd: dir })
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout).problems).toEqual([{ seq: 4, kind: 'anchor', message: 'entry 4 named by the anchor is missing' }])
  })

  it('exports entries as JSON lines, by time, to a new file; names var and secret names, never values', async () => {
    const out = await runCli(['audit', 'export'], { cwd: dir })
    const entries = out.stdout.trim().split('\n').map((line) => JSON.parse(line) as AuditEntry)
    expect(entries.map((e) => [e.seq, e.action])).toEqual([[1, 'run.triggered'], [2, 'run.finished'], [3, 'run.triggered'], [4, 'run.finished']])
    expect(entries[0]).toMatchObject({ source: 'cli', data: { vars: ['region'], trigger: 'cli' } })
    expect(out.stdout).not.toContain('eu-west')
    const until = new Date(entries[2]!.at).toISOString()
    const early = await runCli(['audit', 'export', '--until', until, '--out', 'early.jsonl'], { cwd: dir })
    expect(early.stderr).toContain('Wrote 2 audit entries')
    expect(readFileSync(join(dir, 'early.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).seq)).toEqual([1, 2])
    expect((await runCli(['audit', 'export', '--since', '2999-01-01'], { cwd: dir })).stdout).toBe('')
    expect((await runCli(['audit', 'export', '--since', '1h'], { cwd: dir })).stdout.trim().split('\n')).toHaveLength(4)

    writeFileSync(join(dir, 'taken.jsonl'), 'keep me')
    const exists = await runCli(['audit', 'export', '--out', 'taken.jsonl'], { cwd: dir })
    expect(exists.code).toBe(2)
    expect(exists.stderr).toContain('Cannot write --out taken.jsonl: the file exists')
    expect(readFileSync(join(dir, 'taken.jsonl'), 'utf8')).toBe('keep me')
    const bad = await runCli(['audit', 'export', '--since', 'yesterday'], { cwd: dir })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--since yesterday is neither a duration nor a date')
    expect((await runCli(['audit', 'verify', '--anchor', 'nope'], { cwd: dir })).stderr).toContain('--anchor nope is not <seq>:<hash>')
  })
})
