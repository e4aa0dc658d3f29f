import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, waitFor, type TestServer } from '../helpers.js'
import { assertBrowserPrerequisites, launchBrowser, signIn } from './browser.js'

// The dashboard in Debian's Chromium (playwright-core) against the real server on 127.0.0.1, a
// real engine and SQLite store, and real pipeline runs. Nothing is mocked.
const DEPLOY = `name: release
environments:
  production:
    url: http://127.0.0.1:18951
    target: { uses: deploy/process, with: { command: [node, server.js] } }
    protection: { approvals: 1 }
stages:
  check:
    run: echo checked
  ship:
    needs: [check]
    deploy: { environment: production, version: "2.0.0" }
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

describe('dashboard in a browser', { timeout: 120_000 }, () => {
  let t: TestServer
  let browser: Browser
  beforeAll(async () => {
    assertBrowserPrerequisites()
    t = await startTestServer({ 'pipewright.yml': PIPELINE, 'release.yml': DEPLOY })
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await t?.close()
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

  it('a waiting deployment: a viewer sees why but no approve button; an approver approves it and the run goes on', async () => {
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
      await approver.click('[data-action="approve"]')
      // The approval reaches the waiting run, which goes on: the stage leaves `waiting` on the page,
      // live. (No deployer is registered in this server, so the deploy itself then fails, naming it.)
      await expect.poll(() => node.getAttribute('data-status'), { timeout: 20_000 }).not.toBe('waiting')
      await expect.poll(() => approver.locator('.run-page').getAttribute('data-run-status'), { timeout: 20_000 }).toBe('failed')
      expect(await approver.locator('[data-action="approve"]').count()).toBe(0)
      const approvals = await t.engine.store.listApprovals(id, 'ship')
      expect(approvals.map((a) => [a.by, a.decision])).toEqual([['approver-user', 'approved']])
    } finally {
      await approver.close()
    }
  })
})
