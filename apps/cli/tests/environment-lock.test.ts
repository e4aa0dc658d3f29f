import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { runCli, useTempProjects } from './helpers/cli.js'

const WORKER = join(__dirname, 'fixtures/deploy-worker.mjs')
const PROCESSES = 50

interface Line {
  event: 'start' | 'end'
  run: string
  seq: number
  at: number
}

function worker(home: string, project: string, journal: string, holdMs = 40): Promise<{ code: number | null; stdout: string; stderr: string }> & { child: ReturnType<typeof spawn> } {
  // Run from the CLI package, whose node_modules hold the built engine, store and deploy plugin.
  const child = spawn(process.execPath, [WORKER, home, project, journal, String(holdMs)], { cwd: join(__dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] })
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
  return Object.assign(done, { child })
}

const PIPELINE = `name: locked
environments:
  production:
    url: http://127.0.0.1:18999
    target: { uses: deploy/process, with: { command: [node, server.js] } }
stages:
  deploy:
    deploy: { environment: production, version: "\${{ run.id }}", from: dist }
`

async function journalHas(journal: string, pattern: RegExp): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      if (pattern.test(readFileSync(journal, 'utf8'))) return
    } catch {
      // not written yet
    }
    await sleep(50)
  }
  throw new Error(`the journal never matched ${pattern}`)
}

describe('the environment lock across processes', () => {
  const project = useTempProjects()

  it(`lets ${PROCESSES} deploys from separate OS processes into one environment run one at a time, in arrival order`, async () => {
    const dir = await project({
      'pipewright.yml': PIPELINE,
      'dist/server.js': '// never started: the deployer only records\n',
    })
    const home = join(dir, 'home')
    const journal = join(dir, 'journal.jsonl')
    const started = Date.now()
    const runs: Array<Promise<{ code: number | null; stdout: string; stderr: string }>> = []
    for (let i = 0; i < PROCESSES; i++) {
      runs.push(worker(home, dir, journal))
      await sleep(15)
    }
    const results = await Promise.all(runs)
    const elapsed = Date.now() - started
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 })

    const lines = readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line)
    const byRun = new Map<string, { seq: number; start: number; end: number }>()
    for (const l of lines) {
      const entry = byRun.get(l.run) ?? { seq: l.seq, start: Number.NaN, end: Number.NaN }
      if (l.event === 'start') entry.start = l.at
      else entry.end = l.at
      byRun.set(l.run, entry)
    }
    const deploys = [...byRun.values()].sort((a, b) => a.start - b.start)
    expect(deploys).toHaveLength(PROCESSES)
    // Never two at once: each deploy ends before the next starts (the journal's order says the same).
    for (let i = 1; i < deploys.length; i++) expect(deploys[i]!.start).toBeGreaterThanOrEqual(deploys[i - 1]!.end)
    expect(lines.map((l) => l.event)).toEqual(Array.from({ length: PROCESSES }, () => ['start', 'end']).flat())
    // Served in the order they arrived at the lock (their place in its queue).
    const seqs = deploys.map((d) => d.seq)
    expect(seqs.every((s) => Number.isInteger(s))).toBe(true)
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    expect(new Set(seqs).size).toBe(PROCESSES)
    console.log(`${PROCESSES} processes deployed one at a time in ${(elapsed / 1000).toFixed(1)} s`)
  }, 300_000)

  it('releases the lock of a process killed while it deployed: the next deploy evicts it; unlock refuses a live holder and clears a dead one', async () => {
    const dir = await project({ 'pipewright.yml': PIPELINE, 'dist/server.js': '// never started\n' })
    const home = join(dir, 'home')
    const journal = join(dir, 'journal.jsonl')
    const holder = worker(home, dir, journal, 60_000)
    await journalHas(journal, /"start"/)
    holder.child.kill('SIGKILL')
    await holder
    const next = await worker(home, dir, journal)
    expect(next, next.stderr).toMatchObject({ code: 0 })
    const lines = readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line)
    expect(lines.map((l) => l.event)).toEqual(['start', 'start', 'end'])
    const shown = await runCli(['--home', home, 'logs', JSON.parse(next.stdout).run, 'deploy'], { cwd: dir })
    expect(shown.stdout).toMatch(new RegExp(`released the lock of production held by run \\S+ \\(deploy\\): its process ${holder.child.pid} on \\S+ is gone`))

    const live = worker(home, dir, journal, 60_000)
    await journalHas(journal, /"start"[^\n]*\n?$/)
    const refused = await runCli(['--home', home, 'unlock', 'production'], { cwd: dir })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(new RegExp(`error PW_ERR_ENVIRONMENT_LOCKED: production is locked by run \\S+ \\(deploy\\), whose process ${live.child.pid} on \\S+ is alive`))
    live.child.kill('SIGKILL')
    await live
    const cleared = await runCli(['--home', home, 'unlock', 'production'], { cwd: dir })
    expect(cleared).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Removed the lock of production held by run \S+ \(deploy\); the next in line takes it on its next check\.\n$/) })
    expect((await runCli(['--home', home, 'unlock', 'production'], { cwd: dir })).stdout).toBe('production is not locked.\n')
  }, 120_000)
})
