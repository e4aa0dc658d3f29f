/* global window, document, performance, sessionStorage, PerformanceObserver, requestAnimationFrame */
// Benchmark (not a test): how fast the run page draws a 200-stage run and takes its live updates,
// in Debian's Chromium through playwright-core. The API here is a synthetic one on 127.0.0.1 that
// serves the built dashboard, a 200-stage run (10 layers of 20, each stage needing two of the
// layer before) and an event stream: per stage started, 20 ANSI-coloured log lines, finished,
// written in bursts of 100 events. It measures the page, not the server.
//   node bench/render-200.mjs            (build first: pnpm --filter @pipewright/dashboard build)
//   BENCH_STAGES=500 BENCH_REPEAT=3 node bench/render-200.mjs
import { createServer } from 'node:http'
import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'
import { loadDashboardAssets } from '../dist/index.js'

const STAGES = Number(process.env.BENCH_STAGES ?? 200)
const LINES = Number(process.env.BENCH_LINES ?? 20)
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3)
const CHROMIUM = process.env.PIPEWRIGHT_CHROMIUM ?? '/usr/bin/chromium'
if (!existsSync(CHROMIUM)) {
  console.error(`bench: ${CHROMIUM} is missing; install it with: bash tools/services/chromium.sh`)
  process.exit(1)
}
const assets = loadDashboardAssets()
if (!assets) {
  console.error('bench: the dashboard is not built; run: pnpm --filter @pipewright/dashboard build')
  process.exit(1)
}

const WIDTH = 20
const stages = Array.from({ length: STAGES }, (_, i) => ({
  id: `stage-${String(i).padStart(3, '0')}`,
  needs: i < WIDTH ? [] : [`stage-${String(i - WIDTH).padStart(3, '0')}`, `stage-${String(WIDTH * Math.floor(i / WIDTH) - WIDTH + ((i + 7) % WIDTH)).padStart(3, '0')}`],
  status: 'pending',
}))
const run = { id: 'bench-run', pipeline: 'bench', status: 'running', createdAt: Date.now(), startedAt: Date.now(), trigger: { kind: 'api' } }

function events() {
  const out = []
  let seq = 0
  const ev = (event, data) => out.push(`id: ${++seq}\nevent: ${event}\ndata: ${JSON.stringify({ runId: run.id, at: Date.now(), ...data })}\n\n`)
  for (const s of stages) {
    ev('stage:started', { stageId: s.id, attempt: 1 })
    // As the server sends them: one stored record per event, here one line each.
    for (let l = 0; l < LINES; l++) ev('stage:log', { seq, stageId: s.id, stream: 'stdout', lines: [`\u001b[32m✓\u001b[0m step ${l} of ${s.id} \u001b[2m(${l * 3} ms)\u001b[0m`], ts: Date.now() })
    ev('stage:finished', { stageId: s.id, status: 'succeeded', attempts: 1, exitCode: 0, durationMs: 1000 + l(s), outputs: {} })
  }
  ev('run:finished', { status: 'succeeded', durationMs: 5000 })
  return out
}
const l = (s) => s.id.length * 37

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x')
  if (url.pathname === '/api/me') return json(res, { name: 'bench', role: 'admin' })
  if (url.pathname === `/api/runs/${run.id}`) return json(res, { run, stages })
  if (url.pathname === `/api/runs/${run.id}/events`) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    const all = events()
    let i = 0
    // Wait for the page to signal that the graph is drawn, then stream in bursts.
    const tick = () => {
      if (i >= all.length) return res.end()
      res.write(all.slice(i, i + 100).join(''))
      i += 100
      setTimeout(tick, 5)
    }
    setTimeout(tick, 300)
    return
  }
  const asset = assets.get(url.pathname)
  if (!asset) return res.writeHead(404).end()
  res.writeHead(200, { 'content-type': asset.contentType }).end(asset.body)
})
const json = (res, body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
await new Promise((r) => server.listen(0, '127.0.0.1', r))
const base = `http://127.0.0.1:${server.address().port}`

const browser = await chromium.launch({ executablePath: CHROMIUM })
const results = []
try {
  for (let r = 0; r < REPEAT; r++) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await page.addInitScript(() => {
      sessionStorage.setItem('pipewright.token', 'bench')
      window.__long = []
      window.__frames = []
      new PerformanceObserver((list) => window.__long.push(...list.getEntries().map((e) => ({ start: e.startTime, duration: e.duration })))).observe({ type: 'longtask', buffered: true })
      let last = performance.now()
      const frame = (t) => {
        window.__frames.push(t - last)
        last = t
        requestAnimationFrame(frame)
      }
      requestAnimationFrame(frame)
    })
    const t0 = Date.now()
    await page.goto(`${base}/#/runs/${run.id}`)
    await page.waitForFunction((n) => document.querySelectorAll('g.node').length === n, STAGES, { timeout: 60_000, polling: 'raf' })
    const drawnMs = Date.now() - t0
    const startFrames = await page.evaluate(() => window.__frames.length)
    const t1 = Date.now()
    await page.waitForFunction((n) => document.querySelectorAll('g.node[data-status="succeeded"]').length === n, STAGES, { timeout: 120_000, polling: 100 })
    const updatedMs = Date.now() - t1
    const stats = await page.evaluate((from) => {
      const f = window.__frames.slice(from)
      // Long tasks up to the first full draw of the graph belong to loading the page; the rest to live updates.
      const drawn = performance.getEntriesByName('pw:graph-drawn')[0]?.startTime ?? 0
      const atLoad = window.__long.filter((t) => t.start <= drawn)
      const live = window.__long.filter((t) => t.start > drawn)
      const longest = (ts) => Math.max(0, ...ts.map((t) => t.duration))
      return { frames: f.length, maxFrame: Math.max(...f), over50: f.filter((d) => d > 50).length, longAtLoad: atLoad.length, maxLongAtLoad: longest(atLoad), longLive: live.length, maxLongLive: longest(live) }
    }, startFrames)
    const marks = await page.evaluate(() => {
      const m = (n) => performance.getEntriesByName(n).map((e) => e.startTime)
      const loaded = m('pw:run-loaded')[0]
      const drawn = m('pw:graph-drawn')
      const batches = m('pw:batch')
      // Each batch's cost: from the frame's flush to the next commit of the graph.
      const costs = batches.map((b) => (drawn.find((d) => d >= b) ?? b) - b)
      return { firstDrawMs: drawn[0] - loaded, batches: batches.length, maxBatchMs: Math.max(0, ...costs), meanBatchMs: costs.reduce((a, b) => a + b, 0) / Math.max(1, costs.length) }
    })
    results.push({ drawnMs, updatedMs, ...stats, ...marks })
    await page.close()
  }
} finally {
  await browser.close()
  server.close()
}
const med = (k) => results.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(results.length / 2)]
const n = STAGES * (LINES + 2)
console.log(`dashboard run page, ${STAGES} stages, ${n} events, ${REPEAT} runs (median; 2 shared cores — numbers under load are noisy)`)
console.log(`  first paint of the full graph after navigation: ${med('drawnMs')} ms (from the run's data to the graph in the DOM: ${Math.round(med('firstDrawMs'))} ms)`)
console.log(`  live batches (one per animation frame): ${med('batches')}, mean ${med('meanBatchMs').toFixed(1)} ms, longest ${Math.round(med('maxBatchMs'))} ms from flush to the graph updated in the DOM`)
console.log(`  all ${n} live events applied (streamed in bursts of 100 every 5 ms): ${med('updatedMs')} ms`)
console.log(`  frames during updates: ${med('frames')}, longest ${Math.round(med('maxFrame'))} ms, frames over 50 ms: ${med('over50')}`)
console.log(`  long tasks (>50 ms) while loading the page and drawing the graph: ${med('longAtLoad')}, longest ${Math.round(med('maxLongAtLoad'))} ms`)
console.log(`  long tasks (>50 ms) during live updates: ${med('longLive')}, longest ${Math.round(med('maxLongLive'))} ms`)
