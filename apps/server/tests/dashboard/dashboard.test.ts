import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { activeLatch, DEPLOYER, getEnvironmentLatch, latchEnvironment } from '@pipewright/core'
import { connectAgent, createAgentDeployer, probeAgent } from '@pipewright/agent'
import { createServer as createNetServer } from 'node:net'
import { startTestServer, tempDir, waitFor, type TestServer } from '../helpers.js'
import { assertBrowserPrerequisites, launchBrowser, signIn } from './browser.js'

// The dashboard in Debian's Chromium (playwright-core) against the real server on 127.0.0.1, a
// real engine and SQLite store, and real pipeline runs. Nothing is mocked.
// The release the deploy stage puts into production: a tiny HTTP service answering with its version.
const SERVICE = `import { createServer } from 'node:http'
import { readFileSync } from 'node:fs'
const version = readFileSync(new URL('./version.txt', import.meta.url), 'utf8').trim()
createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ version }))
}).listen(Number(process.env.PORT), '127.0.0.1')
`

const deployPipeline = (port: number) => `name: release
environments:
  production:
    url: http://127.0.0.1:${port}
    target: { uses: deploy/process, with: { command: [node, server.mjs] } }
    health: { path: /healthz, interval: 100ms, startup-timeout: 5s }
    protection: { approvals: 1 }
stages:
  build:
    run: mkdir -p dist && cp server.mjs dist/ && echo 2.0.0 > dist/version.txt
    artifacts: [dist/**]
  ship:
    needs: [build]
    deploy: { environment: production, version: "2.0.0", from: build/dist }
`

const PIPELINE = `name: shop
stages:
  build:
    run: |
      printf '\\033[31mred alert\\033[0m and \\033[1;32mgreen\\033[0m\\n'
      echo '<img src=x onerror="document.title=1">markup stays text'
      while [ ! -f release-build ]; do sleep 0.1; done
      echo build done
  test:
    needs: [build]
    run: echo tested
  package:
    needs: [build]
    run: echo packaged
`

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

describe('dashboard in a browser', { timeout: 120_000 }, () => {
  let t: TestServer
  let browser: Browser
  let port: number
  // The real deployment agent the CLI uses, under the test's own home (started on the first deploy).
  const dir = tempDir()
  const home = join(dir, '.pipewright')
  beforeAll(async () => {
    assertBrowserPrerequisites()
    port = await freePort()
    writeFileSync(join(dir, 'server.mjs'), SERVICE)
    t = await startTestServer({ 'pipewright.yml': PIPELINE, 'release.yml': deployPipeline(port) }, { dir, services: [{ token: DEPLOYER, useValue: createAgentDeployer({ home, cwd: dir }) }] })
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await t?.close()
    // Whatever happened, the agent and the instances it started stop with the test.
    if (await probeAgent(home)) await (await connectAgent(home)).stop({ all: true })
    rmSync(dir, { recursive: true, force: true })
  })

  it('refuses an unknown token, signs in with a real one (kept for the tab) and lists runs with status, trigger and pipeline', async () => {
    writeFileSync(join(t.dir, 'release-build'), '')
    const done = await t.engine.run(join(t.dir, 'pipewright.yml'), { trigger: 'cli', triggeredBy: 'dora' })
    await done.result
    const page = await browser.newPage()
    try {
      await page.goto(`${t.url}/`)
      await page.fill('#token', 'pw_not-a-token')
      await page.click('button[type=submit]')
      await expect.poll(() => page.textContent('.signin .error')).toContain('does not know this token')

      await page.fill('#token', t.tokens.viewer)
      await page.click('button[type=submit]')
      await page.waitForSelector('header.topbar .who')
      expect(await page.textContent('header.topbar .who')).toContain('viewer-user')
      const row = page.locator(`tr[data-run="${done.id}"]`)
      await row.waitFor()
      expect(await row.getAttribute('data-status')).toBe('succeeded')
      expect(await row.textContent()).toContain('shop')
      expect(await row.textContent()).toContain('cli by dora')
      // The token stays for this tab: a reload does not ask again.
      await page.reload()
      await page.locator(`tr[data-run="${done.id}"]`).waitFor()
      expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('pipewright.token'))).toBe(t.tokens.viewer)
    } finally {
      await page.close()
    }
  })

  it('shows a run progress live: the graph\'s stages change status without a reload', async () => {
    const release = join(t.dir, 'release-build')
    rmSync(release, { force: true })
    const handle = await t.engine.run(join(t.dir, 'pipewright.yml'), { trigger: 'cli', triggeredBy: 'dora' })
    await waitFor(async () => ((await t.engine.runs.stages(handle.id)).some((s) => s.stageId === 'build' && s.status === 'running') ? true : undefined))
    const page = await browser.newPage()
    try {
      await signIn(page, t.url, t.tokens.viewer)
      await page.goto(`${t.url}/#/runs/${handle.id}/build`)
      const node = (id: string) => page.locator(`g.node[data-stage="${id}"]`)
      await expect.poll(() => node('build').getAttribute('data-status')).toBe('running')
      expect(await node('test').getAttribute('data-status')).toBe('pending')
      expect(await page.locator('path.edge').count()).toBe(2)
      await expect.poll(() => page.locator('.live').getAttribute('data-live')).toBe('open')
      // ANSI colours become styled spans, never raw escape codes.
      await page.locator('.log .ansi-red-fg', { hasText: 'red alert' }).waitFor()
      expect(await page.textContent('.log')).not.toContain('\u001b[')
      // A log line is text, never markup.
      await page.locator('.log', { hasText: 'markup stays text' }).waitFor()
      expect(await page.locator('.log img').count()).toBe(0)
      expect(await page.textContent('.log')).toContain('<img src=x onerror="document.title=1">markup stays text')
      writeFileSync(release, '')
      await expect.poll(() => node('build').getAttribute('data-status'), { timeout: 20_000 }).toBe('succeeded')
      await expect.poll(() => node('test').getAttribute('data-status'), { timeout: 20_000 }).toBe('succeeded')
      await expect.poll(() => page.locator('.run-page').getAttribute('data-run-status'), { timeout: 20_000 }).toBe('succeeded')
      await page.locator('.log', { hasText: 'build done' }).waitFor()
      // A viewer gets no buttons that change anything.
      expect(await page.locator('[data-action]').count()).toBe(0)
    } finally {
      writeFileSync(release, '')
      await page.close()
      await handle.result
    }
  })

  it('a waiting deployment: a viewer sees why but no approve button; an approver approves it and it proceeds: deployed, the run succeeds', async () => {
    const { id } = await (await t.api('/api/runs', { as: 'operator', json: { pipeline: 'release' } })).json() as { id: string }
    await waitFor(async () => ((await t.engine.runs.stages(id)).some((s) => s.status === 'waiting' && s.waiting?.kind === 'approval') ? true : undefined))
    const viewer = await browser.newPage()
    try {
      await signIn(viewer, t.url, t.tokens.viewer)
      await viewer.goto(`${t.url}/#/runs/${id}/ship`)
      await viewer.locator('.waiting[data-waiting-kind="approval"]').waitFor()
      expect(await viewer.textContent('.waiting')).toContain('production needs 1 approval')
      expect(await viewer.textContent('.waiting')).toContain('An approver can approve')
      expect(await viewer.locator('[data-action="approve"]').count()).toBe(0)
      expect(await viewer.locator('[data-action="reject"]').count()).toBe(0)
    } finally {
      await viewer.close()
    }
    const approver = await browser.newPage()
    try {
      await signIn(approver, t.url, t.tokens.approver)
      await approver.goto(`${t.url}/#/runs/${id}/ship`)
      const node = approver.locator('g.node[data-stage="ship"]')
      await expect.poll(() => node.getAttribute('data-status')).toBe('waiting')
      // An approver cannot cancel (that is an operator's power).
      expect(await approver.locator('[data-action="cancel"]').count()).toBe(0)
      // The page follows the stage live: it leaves `waiting`, deploys (running) and succeeds. Every
      // status the node takes is recorded in the page itself (a polling watcher from here can miss
      // them all on a busy machine).
      // (Script text: this file is compiled without the DOM library.)
      await approver.evaluate(`(() => {
        const status = () => document.querySelector('g.node[data-stage="ship"]')?.getAttribute('data-status')
        window.__seen = [status() ?? '']
        new MutationObserver(() => {
          const now = status()
          if (now && now !== window.__seen.at(-1)) window.__seen.push(now)
        }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] })
      })()`)
      await approver.click('[data-action="approve"]')
      await expect.poll(() => node.getAttribute('data-status'), { timeout: 60_000 }).toBe('succeeded')
      const seen = await approver.evaluate<string[]>('window.__seen')
      expect(seen[0]).toBe('waiting')
      expect(seen.at(-1)).toBe('succeeded')
      await expect.poll(() => approver.locator('.run-page').getAttribute('data-run-status'), { timeout: 20_000 }).toBe('succeeded')
      // The environment really serves the new release, over HTTP.
      const served = await (await fetch(`http://127.0.0.1:${port}/`)).json() as { version: string }
      expect(served.version).toBe('2.0.0')
      const deployments = await t.engine.store.listDeployments({ environment: 'production', limit: 1 })
      expect(deployments.map((d) => [d.version, d.outcome, d.runId])).toEqual([['2.0.0', 'succeeded', id]])
      expect(await approver.locator('[data-action="approve"]').count()).toBe(0)
      const approvals = await t.engine.store.listApprovals(id, 'ship')
      expect(approvals.map((a) => [a.by, a.decision])).toEqual([['approver-user', 'approved']])
    } finally {
      await approver.close()
    }
  })

  it('a latched environment: a viewer sees the latch but no Acknowledge; an operator acknowledges it with a comment after a confirm step', async () => {
    // Seeded the way core's automatic rollback writes it (latchEnvironment into the store's named state).
    await t.engine.store.addHealthRecords([{ environment: 'production', at: Date.now(), source: 'analysis', kind: 'verdict', healthy: false, verdict: 'failed', reason: 'error-rate 0.4 > 0.05' }])
    await latchEnvironment(t.engine.store, { environment: 'production', reason: 'error-rate 0.4 > 0.05 (analysis)', latchedAt: Date.now(), version: '2.0.0', runId: 'run-that-rolled-back' })
    const viewer = await browser.newPage()
    try {
      await signIn(viewer, t.url, t.tokens.viewer)
      await viewer.goto(`${t.url}/#/environments`)
      const latch = viewer.locator('.env[data-env="production"] .latch')
      await latch.waitFor()
      expect(await latch.textContent()).toContain('2.0.0 was rolled back automatically')
      expect(await latch.textContent()).toContain('error-rate 0.4 > 0.05 (analysis)')
      expect(await viewer.locator('[data-action="ack"]').count()).toBe(0)
      // Health comes from the stored health history (the analysis' verdict), not the last deploy's success.
      const health = viewer.locator('.env[data-env="production"] [data-health]')
      expect([await health.getAttribute('data-health'), await health.getAttribute('data-health-source')]).toEqual(['unhealthy', 'analysis'])
    } finally {
      await viewer.close()
    }
    const operator = await browser.newPage()
    try {
      await signIn(operator, t.url, t.tokens.operator)
      await operator.goto(`${t.url}/#/environments`)
      const env = operator.locator('.env[data-env="production"]')
      await env.locator('.latch').waitFor()
      await operator.click('[data-action="ack"]')
      // The first click only asks: nothing is acknowledged yet.
      await operator.locator('[data-action="confirm-ack"]').waitFor()
      expect((await activeLatch(t.engine.store, 'production'))?.reason).toBe('error-rate 0.4 > 0.05 (analysis)')
      await operator.fill('input[name="ack-comment"]', 'fixed the query, 2.0.1 next')
      await operator.click('[data-action="confirm-ack"]')
      await expect.poll(() => env.locator('.latch').count(), { timeout: 20_000 }).toBe(0)
      expect(await activeLatch(t.engine.store, 'production')).toBeUndefined()
      const stored = await getEnvironmentLatch(t.engine.store, 'production')
      expect(stored?.ack).toMatchObject({ by: 'operator-user', comment: 'fixed the query, 2.0.1 next' })
      const [listed] = await (await t.api('/api/environments', { as: 'viewer' })).json() as Array<{ name: string; latch?: { active: boolean; ack?: { by: string } } }>
      expect(listed?.latch).toMatchObject({ active: false, ack: { by: 'operator-user' } })
    } finally {
      await operator.close()
    }
  })
})
