import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { connectAgent, ensureAgent, type AgentClient, type DeployEvent, type EnvironmentInput } from '../src/index.js'

const SERVICE = fileURLToPath(new URL('./fixtures/service.mjs', import.meta.url))

/** A short temp dir: the agent's socket path must stay under 108 bytes. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `pw-${prefix}-`))
}

/** A build's artifact directory of the fixture service. */
export function makeRelease(root: string, version: string, mode: 'healthy' | 'unhealthy' | 'crash' = 'healthy'): string {
  const dir = join(root, `build-${version}`)
  mkdirSync(dir, { recursive: true })
  copyFileSync(SERVICE, join(dir, 'service.mjs'))
  writeFileSync(join(dir, 'version.txt'), `${version}\n`)
  writeFileSync(join(dir, 'mode.txt'), `${mode}\n`)
  return dir
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/** An environment of the fixture service on deploy/process, checked quickly. */
export async function processEnvironment(name: string, overrides: Partial<EnvironmentInput> = {}): Promise<EnvironmentInput> {
  return {
    name,
    url: `http://127.0.0.1:${await freePort()}`,
    target: { uses: 'deploy/process', with: { command: [process.execPath, 'service.mjs'] } },
    instances: 2,
    health: { path: '/healthz', intervalMs: 100, startupTimeoutMs: 20_000 },
    supervise: { checkIntervalMs: 200, backoffMs: 100, backoffMaxMs: 1_000 },
    drainTimeoutMs: 10_000,
    stopGraceMs: 5_000,
    ...overrides,
  }
}

export interface Answer {
  status: number
  version?: string
  instance?: string
  error?: string
}

const oneShot = new Agent({ keepAlive: false })

/** One GET through the environment's router. */
export function get(url: string, options: { agent?: Agent; path?: string } = {}): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(`${url}${options.path ?? '/'}`, { agent: options.agent ?? oneShot, timeout: 15_000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => {
        let parsed: { version?: string; instance?: string } = {}
        try {
          parsed = JSON.parse(body)
        } catch {
          // Not the fixture's JSON: a plain-text service (busybox httpd serves its version as text), or a 5xx from the router.
          if (res.statusCode === 200) parsed = { version: body.trim() }
        }
        resolve({ status: res.statusCode ?? 0, ...(parsed.version ? { version: parsed.version } : {}), ...(parsed.instance ? { instance: parsed.instance } : {}), ...(res.statusCode !== 200 ? { error: body.slice(0, 200) } : {}) })
      })
      res.on('error', (e) => resolve({ status: 0, error: e.message }))
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ status: 0, error: e.code ?? e.message }))
    req.end()
  })
}

export interface LoadReport {
  ok: number
  failed: number
  byVersion: Record<string, number>
  failures: Answer[]
}

/**
 * Steady load: `workers` clients, each with keep-alive connections, GET in a loop (each request
 * held `delayMs` by the service, so requests are in flight during switches) until `stop()`.
 */
export function startLoad(url: string, workers = 4, delayMs = 20): { stop(): Promise<LoadReport>; report(): LoadReport } {
  const report: LoadReport = { ok: 0, failed: 0, byVersion: {}, failures: [] }
  let running = true
  const agent = new Agent({ keepAlive: true, maxSockets: workers })
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      const a = await get(url, { agent, path: `/?delay=${delayMs}` })
      if (a.status >= 200 && a.status < 300) {
        report.ok++
        if (a.version) report.byVersion[a.version] = (report.byVersion[a.version] ?? 0) + 1
      } else {
        report.failed++
        if (report.failures.length < 10) report.failures.push(a)
      }
    }
  })
  return {
    report: () => report,
    async stop() {
      running = false
      await Promise.all(loops)
      agent.destroy()
      return report
    },
  }
}

/** Polls until `check` returns a truthy value or the deadline passes (then throws with `what`). */
export async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value) return value
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

export function collect(): { events: DeployEvent[]; onEvent(e: DeployEvent): void; messages(): string[] } {
  const events: DeployEvent[] = []
  return { events, onEvent: (e) => void events.push(e), messages: () => events.map((e) => e.message) }
}

/** The agent of a home, started on demand. */
export function agentFor(home: string): Promise<AgentClient> {
  return ensureAgent(home, { startTimeoutMs: 60_000 })
}

function killQuietly(pid: number, signal: NodeJS.Signals, group = false): void {
  try {
    process.kill(group ? -pid : pid, signal)
  } catch {
    // already gone
  }
}

/**
 * Stops everything a test's agent started, even when the test failed half-way: asks the agent
 * to stop everything; if it cannot, kills what the state files and the pid file name (only
 * processes this test started).
 */
export async function cleanupHome(home: string): Promise<void> {
  try {
    const client = await connectAgent(home)
    await client.stop({ all: true, timeoutMs: 30_000 })
  } catch {
    // no agent, or it does not answer: fall through to the files
  }
  const stateDir = join(home, 'agent', 'environments')
  if (existsSync(stateDir)) {
    for (const name of readdirSync(stateDir).filter((n) => n.endsWith('.json'))) {
      const state = JSON.parse(readFileSync(join(stateDir, name), 'utf8')) as { instances?: Array<{ handle: { pid?: number; containerId?: string } }>; pending?: Array<{ handle: { pid?: number } }> }
      for (const r of [...(state.instances ?? []), ...(state.pending ?? [])]) if (r.handle.pid) killQuietly(r.handle.pid, 'SIGKILL', true)
    }
  }
  const pidFile = join(home, 'agent', 'agent.pid')
  if (existsSync(pidFile)) killQuietly(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL')
  rmSync(home, { recursive: true, force: true })
}
