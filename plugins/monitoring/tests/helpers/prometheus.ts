import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const PROMETHEUS_MISSING =
  'The prometheus binary is not on PATH. These tests run a real Prometheus server: install it with `bash tools/services/up.sh` (as root; it installs Debian\'s prometheus package), then run the tests again.'

export interface PrometheusServer {
  url: string
  /** Milliseconds from spawn until /-/ready answered 200. */
  readyAfterMs: number
  /** Polls an instant query until it returns at least one series (or throws after `timeoutMs`); returns the ms waited since spawn. */
  waitForSeries(query: string, timeoutMs?: number): Promise<number>
  /** Stdout and stderr of the server so far. */
  log(): string
  stop(): Promise<void>
}

/** Throws with the fix when Debian's prometheus is not installed: these tests must not pass by skipping. */
export function requirePrometheus(): void {
  const r = spawnSync('prometheus', ['--version'], { encoding: 'utf8' })
  if (r.error || r.status !== 0) throw new Error(PROMETHEUS_MISSING)
}

async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise((resolve) => probe.close(resolve))
  return port
}

/**
 * Spawns a real Prometheus on a free 127.0.0.1 port, scraping `targets` (host:port) every second,
 * with its config and TSDB in a temp dir removed on stop. Resolves once /-/ready answers.
 */
export async function startPrometheus(targets: string[]): Promise<PrometheusServer> {
  requirePrometheus()
  const dir = mkdtempSync(join(tmpdir(), 'pipewright-prometheus-'))
  const config = join(dir, 'prometheus.yml')
  writeFileSync(config, [
    'global: { scrape_interval: 1s, evaluation_interval: 1s }',
    'scrape_configs:',
    '  - job_name: app',
    `    static_configs: [ { targets: [${targets.map((t) => `'${t}'`).join(', ')}] } ]`,
    '',
  ].join('\n'))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const started = performance.now()
  let output = ''
  const child: ChildProcess = spawn('prometheus', [
    `--config.file=${config}`,
    `--web.listen-address=127.0.0.1:${port}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    '--log.level=warn',
  ], { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout?.on('data', (d) => { output += d })
  child.stderr?.on('data', (d) => { output += d })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
    rmSync(dir, { recursive: true, force: true })
  }

  const deadline = started + 15_000
  for (;;) {
    if (child.exitCode !== null) {
      await stop()
      throw new Error(`prometheus exited with code ${child.exitCode} before it was ready:\n${output}`)
    }
    const ready = await fetch(`${url}/-/ready`).then((r) => r.status === 200, () => false)
    if (ready) break
    if (performance.now() > deadline) {
      await stop()
      throw new Error(`prometheus was not ready on ${url} after 15 s:\n${output}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  const readyAfterMs = Math.round(performance.now() - started)

  return {
    url,
    readyAfterMs,
    async waitForSeries(query, timeoutMs = 20_000) {
      const until = performance.now() + timeoutMs
      for (;;) {
        const body = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`).then((r) => r.json(), () => undefined) as { data?: { result?: unknown[] } } | undefined
        if ((body?.data?.result?.length ?? 0) > 0) return Math.round(performance.now() - started)
        if (performance.now() > until) throw new Error(`prometheus on ${url} had no series for ${query} after ${timeoutMs} ms:\n${output}`)
        await new Promise((r) => setTimeout(r, 100))
      }
    },
    log: () => output,
    stop,
  }
}
