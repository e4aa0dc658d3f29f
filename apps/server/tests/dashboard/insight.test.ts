import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import riskPlugin from '@pipewright/plugin-risk'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DAY, T0, seedCacheReruns, seedDoraHistory } from '../../../../packages/insight/tests/seed.js'
import { startTestServer, type TestServer } from '../helpers.js'
import { assertBrowserPrerequisites, launchBrowser, signIn } from './browser.js'

// The Insight page and the run page's risk panel in Debian's Chromium, against the real server
// on a real SQLite store. The DORA history is packages/insight/tests/dora.test.ts's, seeded through
// the Store API; the figures expected on the page were worked out by hand (see there and
// apps/server/tests/insight.test.ts). The server's clock stands at the history's end.
const NOW = T0 + 14 * DAY

const PIPELINE = `name: gatekeeper
environments:
  staging:
    url: http://127.0.0.1:18901
    target: { uses: deploy/process, with: { command: [node, server.js] } }
  production:
    url: http://127.0.0.1:18902
    target: { uses: deploy/process, with: { command: [node, server.js] } }
stages:
  assess-risk:
    run: echo assessing
    gates:
      - uses: risk/assess
        with: { environment: production, approval-at: 90, block-at: 99 }
`

describe('insight in the dashboard, in a browser', { timeout: 120_000 }, () => {
  let t: TestServer
  let browser: Browser
  beforeAll(async () => {
    assertBrowserPrerequisites()
    t = await startTestServer({ 'pipewright.yml': PIPELINE }, { now: () => NOW, scheduleIntervalMs: false, plugins: [riskPlugin] })
    await seedDoraHistory(t.engine.store)
    await seedCacheReruns(t.engine.store)
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  it('shows each environment\'s DORA figures with their bands and weekly trend, and the review\'s findings', async () => {
    const page = await browser.newPage()
    try {
      await signIn(page, t.url, t.tokens.viewer)
      await page.click('header.topbar nav a[href="#/insight"]')
      await page.locator('.insight-page').waitFor()
      await page.selectOption('.insight-page select', '14d')
      const prod = page.locator('.insight-env[data-env="production"] .dora[data-pipeline="shop"]')
      await prod.waitFor()
      const figure = async (name: string) => {
        const f = prod.locator(`.figure[data-figure="${name}"]`)
        return [await f.locator('.figure-value').textContent(), await f.locator('.band').getAttribute('data-band')]
      }
      // 5 deployments in 14 days (2.5 a week, high); median lead 6 h (elite); 2 of 5 failed
      // (40 %, low); recovered after 40 min and 3 h (median 1 h 50 min, high); 1 of 5 rework.
      // The 14-day window is drawn once its figures arrive (30 days would show 1.2/week).
      await expect.poll(() => figure('Deployment frequency')).toEqual(['2.5/week', 'high'])
      expect(await prod.locator('h3').textContent()).toContain('5 deployments')
      expect(await figure('Lead time')).toEqual(['6h 0m', 'elite'])
      expect(await figure('Change failure rate')).toEqual(['40% (2/5)', 'low'])
      expect(await figure('Recovery time')).toEqual(['1h 50m', 'high'])
      expect(await prod.locator('.figure[data-figure="Rework rate"] .figure-value').textContent()).toBe('20% (1/5)')
      const weeks = await prod.locator('.trend g[data-week]').evaluateAll((gs) => gs.map((g) => [g.getAttribute('data-week'), g.getAttribute('data-deployments'), g.getAttribute('data-failures')]))
      expect(weeks).toEqual([['2026-03-02', '4', '2'], ['2026-03-09', '1', '0']])
      expect(await page.textContent('.insight-env[data-env="staging"]')).toContain('No deployments to staging in this window.')
      const finding = page.locator('.findings .finding[data-kind="cache-rerun"]')
      await finding.waitFor()
      expect(await finding.textContent()).toContain('cache `install`: 3 runs re-ran it with unchanged inputs, 15 min in all')
    } finally {
      await page.close()
    }
  })

  it('shows a run\'s risk assessment on its page: the score and each factor\'s contribution', async () => {
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: t.dir })
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.test', 'add', '-A'], { cwd: t.dir })
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.test', 'commit', '-qm', 'first'], { cwd: t.dir })
    const handle = await t.engine.run(join(t.dir, 'pipewright.yml'), { trigger: 'cli', triggeredBy: 'someone' })
    await handle.result
    const [saved] = await t.engine.store.findRecords({ pipeline: 'gatekeeper', kind: 'risk.assessment', runId: handle.id })
    const assessment = saved!.data as { score: number; factors: Array<{ name: string; contribution: number }> }
    const page = await browser.newPage()
    try {
      await signIn(page, t.url, t.tokens.viewer)
      await page.goto(`${t.url}/#/runs/${handle.id}`)
      const panel = page.locator('.risk[data-risk-stage="assess-risk"]')
      await panel.waitFor()
      expect(await panel.getAttribute('data-score')).toBe(String(assessment.score))
      expect(await panel.locator('h2').textContent()).toContain(`Risk ${assessment.score}/100 for production: pass`)
      const rows = await panel.locator('tr[data-factor]').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-factor'), tr.querySelector('td')?.textContent]))
      expect(rows).toEqual(assessment.factors.map((f) => [f.name, `+${f.contribution}`]))
      expect(rows[0]).toEqual(['change-size', '+10'])
    } finally {
      await page.close()
    }
  })
})
