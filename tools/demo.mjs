#!/usr/bin/env node
// Runs the example pipeline end to end with the built CLI on the embedded store
// (examples/hello-service/.pipewright). Uses a local Docker engine + registry when one is up
// (bash tools/docker/up.sh), and says so when not.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { request } from 'node:http'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const pipeline = join(root, 'examples/hello-service/pipewright.yml')
// The pipeline's notification/file route appends here; the demo prints what this run added.
const notifications = join(root, 'examples/hello-service/.pipewright/notifications.jsonl')
const notifiedBefore = existsSync(notifications) ? statSync(notifications).size : 0
const dockerEnv = join(root, 'tools/docker/.state/env')
// The state file may outlive the engine (a reboot, a killed dockerd): only trust it once both answer.
const candidate = { ...process.env }
if (existsSync(dockerEnv)) {
  for (const line of readFileSync(dockerEnv, 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim())
    if (m && candidate[m[1]] === undefined) candidate[m[1]] = m[2]
  }
}

/* global fetch, AbortSignal, setInterval, clearInterval -- Node 20 globals this config does not list */
const PROBE_MS = 1000

/** True when the engine at DOCKER_HOST (unix://, tcp:// or http://) answers GET /_ping with 200. */
function engineAnswers(dockerHost) {
  let target
  if (dockerHost.startsWith('unix://')) target = { socketPath: dockerHost.slice('unix://'.length) }
  else if (/^(tcp|http):\/\//.test(dockerHost)) {
    const url = new URL(dockerHost.replace(/^tcp:/, 'http:'))
    target = { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 2375) }
  } else return Promise.resolve(false)
  return new Promise((resolve) => {
    const req = request({ ...target, path: '/_ping', method: 'GET', timeout: PROBE_MS }, (res) => {
      res.resume()
      resolve(res.statusCode === 200)
    })
    req.on('timeout', () => req.destroy(new Error('timed out')))
    req.on('error', () => resolve(false))
    req.end()
  })
}

async function registryAnswers(registry) {
  try {
    const res = await fetch(`http://${registry}/v2/`, { signal: AbortSignal.timeout(PROBE_MS) })
    return res.status === 200
  } catch {
    return false
  }
}

const dockerUp =
  Boolean(candidate.DOCKER_HOST && candidate.PIPEWRIGHT_TEST_REGISTRY) &&
  (await Promise.all([engineAnswers(candidate.DOCKER_HOST), registryAnswers(candidate.PIPEWRIGHT_TEST_REGISTRY)])).every(Boolean)
const env = dockerUp ? candidate : { ...process.env }
const vars = []
if (dockerUp) vars.push('--var', `registry=${env.PIPEWRIGHT_TEST_REGISTRY}`)
else console.log('demo: no Docker engine configured; the image stages will be skipped (start one with: bash tools/docker/up.sh)')

const cli = join(root, 'apps/cli/dist/bin.js')
const args = process.argv.slice(2)
const quiet = (cliArgs) => spawnSync(process.execPath, [cli, ...cliArgs], { encoding: 'utf8', env })

// The server (dashboard, API, live events) on a free port (or PIPEWRIGHT_DEMO_PORT), in the
// background: it stays up after the demo so the run can be looked at; the demo prints how to stop it.
function token(name, role) {
  quiet(['token', 'revoke', name, '-f', pipeline])
  return JSON.parse(quiet(['token', 'create', '--name', name, '--role', role, '-f', pipeline, '--json']).stdout || '{}').token
}
async function startServer() {
  const server = spawn(process.execPath, [cli, 'serve', '-f', pipeline, '--port', env.PIPEWRIGHT_DEMO_PORT ?? '0'], { env, detached: true, stdio: ['ignore', 'pipe', 'inherit'] })
  const url = await new Promise((resolve) => {
    let out = ''
    const timer = setTimeout(() => resolve(undefined), 30_000)
    server.stdout.on('data', (chunk) => {
      out += chunk
      const found = /on (http:\/\/\S+)/.exec(out)
      if (found) {
        clearTimeout(timer)
        resolve(found[1])
      }
    })
    server.on('close', () => resolve(undefined))
  })
  server.stdout.destroy()
  server.unref()
  if (!url) {
    console.log('demo: the server did not start; the run goes on without it')
    return
  }
  console.log(`demo: dashboard and API on ${url}  (server pid ${server.pid}; stop it with: kill ${server.pid})`)
  console.log(`demo: sign in as a viewer with   ${token('demo-viewer', 'viewer')}`)
  console.log(`demo: or as an approver with     ${token('demo-approver', 'approver')}`)
  console.log(`demo: e.g. curl -H "Authorization: Bearer <token>" ${url}/api/runs\n`)
}
await startServer()

// The run deploys to production only once someone other than its trigger approves. The demo plays
// that second person: while the run waits, it approves as release-manager from another process,
// exactly as a person would type it.
let approved = false
const approver = setInterval(() => {
  if (approved) return
  const listed = quiet(['runs', '-f', pipeline, '--json', '--limit', '1'])
  let run
  try {
    run = JSON.parse(listed.stdout)[0]
  } catch {
    return
  }
  if (!run || run.status !== 'running' || !/approval/.test(run.waiting ?? '')) return
  approved = true
  const r = quiet(['approve', run.id, 'deploy-production', '-f', pipeline, '--as', 'release-manager', '--comment', 'approved by tools/demo.mjs'])
  console.log(`\ndemo: $ pipewright approve ${run.id} deploy-production --as release-manager\ndemo: ${(r.stdout || r.stderr).trim()}\n`)
}, 1000)

const child = spawn(process.execPath, [cli, 'run', '-f', pipeline, '--as', 'demo-developer', ...vars, ...args], { stdio: 'inherit', env })
const status = await new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)))
clearInterval(approver)
if (existsSync(notifications)) {
  const added = readFileSync(notifications).subarray(notifiedBefore).toString('utf8').trim()
  console.log(`\nNotifications of this run (notification/file → ${notifications.slice(root.length + 1)}):`)
  for (const line of added ? added.split('\n') : []) {
    const n = JSON.parse(line)
    console.log(`  [${n.severity}] ${n.event}: ${n.title}${n.reason ? `\n      ${n.reason.split('\n')[0]}` : ''}`)
  }
}
if (status === 0) {
  reportRollback()
  const envs = JSON.parse(quiet(['envs', '-f', pipeline, '--json']).stdout || '{"environments":[]}')
  console.log('')
  for (const e of envs.environments) {
    const url = e.live?.url ?? e.url
    let answer = 'does not answer'
    try {
      const res = await fetch(`${url}/version`, { signal: AbortSignal.timeout(PROBE_MS * 3) })
      answer = `answers ${res.status} ${(await res.text()).trim()}`
    } catch {
      // reported as is
    }
    console.log(`${e.name.padEnd(11)} ${url}  ${e.live?.version ?? e.current?.version ?? '–'}  (${answer})`)
  }
  // What the store now knows about delivery: the DORA figures of production (every demo run adds one deployment).
  const dora = quiet(['report', 'dora', '-f', pipeline, '--env', 'production', '--since', '30d'])
  console.log(`\ndemo: $ pipewright report dora --env production --since 30d\n${(dora.stdout || dora.stderr).trim()}`)
  console.log('\nBoth stay up while the deployment agent runs. Stop it, and them, with:')
  console.log('      pnpm pipewright agent stop --all -f examples/hello-service/pipewright.yml')
  console.log('\nNext: pnpm pipewright envs -f examples/hello-service/pipewright.yml')
  console.log('      pnpm pipewright history production -f examples/hello-service/pipewright.yml')
  console.log('      pnpm pipewright show <run-id> -f examples/hello-service/pipewright.yml')
  console.log('      pnpm pipewright report review -f examples/hello-service/pipewright.yml --format html --out review.html')
}
process.exit(status)

// The broken release the pipeline deploys to staging (deploy-broken) is rolled back by its
// post-deploy verification: say what happened (its notification is among those printed above),
// and acknowledge the latch so the next demo can deploy again.
function reportRollback() {
  let history = []
  try {
    history = JSON.parse(quiet(['history', 'staging', '-f', pipeline, '--json', '--limit', '5']).stdout)
  } catch {
    return
  }
  const bad = history.find((d) => d.outcome === 'rolled-back' && d.verification)
  if (!bad) return
  const rollback = history.find((d) => d.id === bad.rolledBackBy)
  console.log(`\ndemo: ${bad.version} was rolled back automatically${rollback ? ` to ${rollback.version}` : ''} inside its verification window:`)
  console.log(`demo:   ${bad.verification.reason}`)
  for (const sample of bad.verification.evidence.samples.slice(-3)) {
    console.log(`demo:   ${new Date(sample.at).toISOString().slice(11, 23)} ${sample.monitor} ${sample.measurement} ${sample.reason ?? ''}`)
  }
  const ack = quiet(['ack', 'staging', '-f', pipeline, '--as', 'demo-operator', '--comment', 'the broken release was the demo\'s own'])
  console.log(`demo: $ pipewright ack staging --as demo-operator\ndemo: ${(ack.stdout || ack.stderr).trim()}`)
}

