import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { useTempProjects } from './helpers/cli.js'

const WORKER = join(__dirname, 'fixtures/deploy-worker.mjs')
const PROCESSES = 50

interface Line {
  event: 'start' | 'end'
  run: string
  seq: number
  at: number
}

function worker(home: string, project: string, journal: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Run from the CLI package, whose node_modules hold the built engine, store and deploy plugin.
    const child = spawn(process.execPath, [WORKER, home, project, journal], { cwd: join(__dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('the environment lock across processes', () => {
  const project = useTempProjects()

  it(`lets ${PROCESSES} deploys from separate OS processes into one environment run one at a time, in arrival order`, async () => {
    const dir = await project({
      'pipewright.yml': `name: locked
environments:
  production:
    url: http://127.0.0.1:18999
    target: { uses: deploy/process, with: { command: [node, server.js] } }
stages:
  deploy:
    deploy: { environment: production, version: "\${{ run.id }}", from: dist }
`,
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
})
