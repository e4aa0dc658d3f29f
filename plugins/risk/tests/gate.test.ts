import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createEngine, decideApproval } from '@pipewright/core'
import { definePlugin, type Notification } from '@pipewright/plugin-api'
import { sampleDeployment } from '@pipewright/store-api/conformance'
import { createMemoryStore } from '@pipewright/store-api'
import { afterEach, describe, expect, it } from 'vitest'
import riskPlugin from '../src/index.js'

let dir: string | undefined
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
  dir = undefined
})

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } }).trim()

async function write(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true })
    await writeFile(join(root, path), content)
  }
}

/**
 * A real git repository: production runs the first commit (a seeded deployment record); the
 * second commit adds 200 lines in a migration. Time and freeze factors are switched off so the
 * score is the same whenever the test runs: change-size 5 + sensitive-paths 30 (migrations and
 * the pipeline file, infrastructure) + tests 10 (no test stage) + change-failure-rate 10 (1 of 2
 * deployments failed) = 55.
 */
async function project(thresholds: string) {
  dir = await mkdtemp(join(tmpdir(), 'pw-risk-'))
  await write(dir, { 'src/app.js': 'export const a = 1\n' })
  git(dir, 'init', '-q', '-b', 'main')
  git(dir, 'add', '-A')
  git(dir, 'commit', '-qm', 'first')
  const base = git(dir, 'rev-parse', 'HEAD')
  await write(dir, {
    'db/migrations/002_orders.sql': Array.from({ length: 200 }, (_, i) => `ALTER TABLE orders ADD COLUMN c${i} INT;`).join('\n'),
    'pipewright.yml': `name: shop
notify:
  - on: [risk:assessed]
    uses: inbox/keep
stages:
  assess:
    run: echo assessing
    gates:
      - uses: risk/assess
        with: { environment: production, working-hours: [0, 24], risky-days: [], friday-afternoon: false, ${thresholds} }
`,
  })
  git(dir, 'add', '-A')
  git(dir, 'commit', '-qm', 'orders columns')
  const store = createMemoryStore()
  await store.addDeployment(sampleDeployment({ id: 'dep-1', pipeline: 'shop', environment: 'production', commit: base, version: '1.0.0', outcome: 'succeeded', finishedAt: 2_000, startedAt: 1_000 }))
  await store.addDeployment(sampleDeployment({ id: 'dep-0', pipeline: 'shop', environment: 'production', commit: base, version: '0.9.0', outcome: 'failed', finishedAt: 1_000, startedAt: 500 }))
  const inbox: Notification[] = []
  const inboxPlugin = definePlugin({ id: 'inbox', apiVersion: 1, register: (api) => api.notifier('keep', { notify: (_ctx, n) => void inbox.push(n) }) })
  const engine = createEngine({ plugins: [riskPlugin, inboxPlugin], store, cwd: dir })
  const events: Array<{ name: string; payload: Record<string, unknown> }> = []
  engine.onAny((name, payload) => events.push({ name, payload: payload as Record<string, unknown> }))
  return { engine, store, events, inbox, file: join(dir, 'pipewright.yml'), base }
}

describe('risk/assess on a real run', () => {
  it('passes below approval-at, with each factor, its contribution and its data, and emits risk:assessed', async () => {
    const { engine, events, file, base } = await project('approval-at: 56, block-at: 80')
    const result = await (await engine.run(file)).result
    expect(result.status).toBe('succeeded')
    const [assessed] = events.filter((e) => e.name === 'risk:assessed').map((e) => e.payload)
    expect(assessed).toMatchObject({ stageId: 'assess', environment: 'production', score: 55, decision: 'pass' })
    const factors = Object.fromEntries((assessed!.factors as Array<{ name: string; contribution: number; data: Record<string, unknown> }>).map((f) => [f.name, f]))
    const yamlLines = readFileSync(file, 'utf8').trimEnd().split('\n').length
    expect(factors['change-size']).toMatchObject({ contribution: 5, data: { lines: 200 + yamlLines, files: 2, base } })
    expect(factors['sensitive-paths']).toMatchObject({ contribution: 30, data: { touched: { migrations: ['db/migrations/002_orders.sql'], infrastructure: ['pipewright.yml'] } } })
    expect(factors['change-failure-rate']).toMatchObject({ contribution: 10, data: { total: 2, failed: 1 } })
    await engine.close()
  })

  it('blocks from block-at: the gate fails the stage with the score and the top factors', async () => {
    const { engine, file, inbox } = await project('approval-at: 20, block-at: 55')
    const result = await (await engine.run(file)).result
    expect(result.status).toBe('failed')
    // Routed through notifications like any event, with the factors that added risk.
    expect(inbox).toEqual([expect.objectContaining({ event: 'risk:assessed', title: 'shop: risk 55/100 for production (block)', severity: 'error', text: expect.stringContaining('• sensitive-paths +30: touches migrations (1 file), infrastructure (1 file)') })])
    expect(result.stages.find((s) => s.id === 'assess')?.error?.message).toMatch(/^Gate risk\/assess failed: risk 55\/100 for production reaches block-at 55: sensitive-paths \+30 /)
    await engine.close()
  })

  it('from approval-at waits for an approval (shown as the waiting reason), and goes on once someone approves', async () => {
    const { engine, store, events, file } = await project('approval-at: 55, block-at: 90')
    const handle = await engine.run(file)
    let waiting: string | undefined
    for (let i = 0; i < 200 && !waiting; i++) {
      waiting = (await engine.runs.stages(handle.id)).find((s) => s.status === 'waiting')?.waiting?.reason
      if (!waiting) await new Promise((r) => setTimeout(r, 25))
    }
    expect(waiting).toMatch(/^gate risk\/assess: risk 55\/100 for production \(≥ approval-at 55\) needs an approval — .*approve with `pipewright approve \S+ assess --as <name>`$/)
    expect(events.filter((e) => e.name === 'approval:requested')).toHaveLength(1)
    const decision = await decideApproval(store, { run: handle.id, by: 'bob', decision: 'approved', comment: 'migration reviewed' })
    expect(decision.stageId).toBe('assess')
    engine.wake(handle.id)
    const result = await handle.result
    expect(result.status).toBe('succeeded')
    expect(events.filter((e) => e.name === 'gate:evaluated').at(-1)?.payload).toMatchObject({ verdict: 'pass', reason: 'risk 55/100 for production (≥ 55) approved by bob: migration reviewed' })
    expect(events.filter((e) => e.name === 'risk:assessed')).toHaveLength(1)
    await engine.close()
  })
})
