import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { InstanceHandle, TargetContext, TargetDefinition } from '@pipewright/plugin-api'
import { inspectPlugin } from '@pipewright/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import deployPlugin from '../src/index.js'

let target: TargetDefinition<any>
let root: string
const started: InstanceHandle[] = []

const ctx = (): TargetContext => ({
  target: 'deploy/process',
  environment: 'test',
  dataDir: join(root, 'data'),
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  signal: new AbortController().signal,
  pluginConfig: {},
  resolve: () => {
    throw new Error('no services here')
  },
})

const config = (withConfig: Record<string, unknown>) => target.configSchema!.parse(withConfig)

async function start(withConfig: Record<string, unknown>, directory: string, id = `i${started.length}`): Promise<InstanceHandle> {
  const handle = await target.start(ctx(), config(withConfig), { id, environment: 'test', version: 'v1', release: { directory }, host: '127.0.0.1', port: 0, env: { HELLO: 'world' } })
  started.push(handle)
  return handle
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

beforeAll(async () => {
  target = (await inspectPlugin(deployPlugin)).targets.process!
  root = mkdtempSync(join(tmpdir(), 'pw-deploy-'))
})
afterEach(async () => {
  for (const h of started.splice(0)) await target.stop(ctx(), config({ command: 'true' }), h, { graceMs: 100 })
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('deploy/process', () => {
  it('registers as deploy/process and validates its config', async () => {
    expect(Object.keys((await inspectPlugin(deployPlugin)).targets)).toEqual(['process'])
    expect(target.configSchema!.safeParse({}).success).toBe(false)
    expect(config({ command: 'node server.js' })).toEqual({ command: 'node server.js', env: {}, 'stop-signal': 'SIGTERM', 'log-max-bytes': 10 * 1024 * 1024 })
  })

  it('runs a copy of the artifact directory: a later build of the same directory changes nothing that runs', async () => {
    const build = join(root, 'build')
    mkdirSync(build, { recursive: true })
    writeFileSync(join(build, 'app.txt'), 'first\n')
    const first = await target.prepare!(ctx(), config({ command: 'true' }), { directory: build, environment: 'test', version: '1.0' })
    writeFileSync(join(build, 'app.txt'), 'second\n')
    const second = await target.prepare!(ctx(), config({ command: 'true' }), { directory: build, environment: 'test', version: '1.0' })
    const again = await target.prepare!(ctx(), config({ command: 'true' }), { directory: build, environment: 'test', version: '1.0' })
    expect(first.directory).not.toBe(second.directory)
    expect(again.directory).toBe(second.directory)
    expect(readFileSync(join(first.directory!, 'app.txt'), 'utf8')).toBe('first\n')
    expect(first.directory!.startsWith(join(root, 'data', 'releases', 'test'))).toBe(true)
    await expect(target.prepare!(ctx(), config({ command: 'true' }), { directory: join(root, 'nope'), environment: 'test', version: '2' })).rejects.toMatchObject({ code: 'PW_ERR_DEPLOY_ARTIFACTS' })
  })

  it('deploys `from: .` with the home inside the project: the copy leaves out the releases and .pipewright/', async () => {
    const project = join(root, 'project')
    mkdirSync(join(project, 'src'), { recursive: true })
    writeFileSync(join(project, 'server.js'), 'console.log("hi")\n')
    writeFileSync(join(project, 'src', 'lib.js'), 'export {}\n')
    mkdirSync(join(project, '.pipewright'), { recursive: true })
    writeFileSync(join(project, '.pipewright', 'store.db'), 'state')
    const inside = { ...ctx(), dataDir: join(project, '.pipewright', 'agent', 'targets', 'deploy', 'process') }
    const first = await target.prepare!(inside, config({ command: 'true' }), { directory: project, environment: 'test', version: '1.0' })
    expect(first.directory!.startsWith(join(project, '.pipewright', 'agent'))).toBe(true)
    expect(readFileSync(join(first.directory!, 'server.js'), 'utf8')).toBe('console.log("hi")\n')
    expect(readFileSync(join(first.directory!, 'src', 'lib.js'), 'utf8')).toBe('export {}\n')
    expect(existsSync(join(first.directory!, '.pipewright'))).toBe(false)
    // The same content again is the same release (the first release is not copied into the second).
    const again = await target.prepare!(inside, config({ command: 'true' }), { directory: project, environment: 'test', version: '1.0' })
    expect(again.directory).toBe(first.directory)
  })

  it('starts in its own process group with PORT and the env, logging to a per-instance file', async () => {
    const dir = join(root, 'rel-env')
    mkdirSync(dir, { recursive: true })
    const handle = await start({ command: 'echo "port=$PORT hello=$HELLO extra=$EXTRA"; sleep 30', env: { EXTRA: 1 } }, dir)
    expect(handle).toMatchObject({ id: 'i0', target: 'deploy/process', environment: 'test', version: 'v1', port: 0 })
    const log = (handle.data as { log: string }).log
    await until('the log line', () => existsSync(log) && readFileSync(log, 'utf8').includes('hello'))
    expect(readFileSync(log, 'utf8')).toBe('port=0 hello=world extra=1\n')
    expect(await target.check(ctx(), config({ command: 'x' }), handle)).toEqual({ alive: true })
    expect(await target.adopt!(ctx(), config({ command: 'x' }), handle)).toEqual(handle)
  })

  it('stop sends SIGTERM to the whole group, then SIGKILL after the grace period', async () => {
    const dir = join(root, 'rel-stubborn')
    mkdirSync(dir, { recursive: true })
    // The leader ignores SIGTERM; its child (same group) would exit on it.
    const handle = await start({ command: "trap '' TERM; sleep 60 & echo child=$!; wait" }, dir)
    const log = (handle.data as { log: string }).log
    await until('the child', () => existsSync(log) && readFileSync(log, 'utf8').includes('child='))
    const child = Number(/child=(\d+)/.exec(readFileSync(log, 'utf8'))![1])
    expect(alive(child)).toBe(true)
    const t0 = Date.now()
    await target.stop(ctx(), config({ command: 'x' }), handle, { graceMs: 300 })
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250)
    expect(await target.check(ctx(), config({ command: 'x' }), handle)).toMatchObject({ alive: false, reason: 'killed by SIGKILL' })
    await until('the child is gone too', () => !alive(child))
    // Stopping what is already stopped is fine.
    await target.stop(ctx(), config({ command: 'x' }), handle, { graceMs: 100 })
  })

  it('reports an exit with its code, and refuses to adopt a dead or recycled process', async () => {
    const dir = join(root, 'rel-exit')
    mkdirSync(dir, { recursive: true })
    const handle = await start({ command: 'exit 7' }, dir)
    await until('the exit', async () => !(await target.check(ctx(), config({ command: 'x' }), handle)).alive)
    expect(await target.check(ctx(), config({ command: 'x' }), handle)).toEqual({ alive: false, reason: 'exited with code 7', exitCode: 7 })
    expect(await target.adopt!(ctx(), config({ command: 'x' }), handle)).toBeUndefined()
    // A handle naming a live process that started at another time (a recycled pid) is not adopted.
    const recycled = { ...handle, pid: process.pid, data: { ...handle.data, startTime: '1' } }
    expect(await target.adopt!(ctx(), config({ command: 'x' }), recycled)).toBeUndefined()
  })

  it('caps the instance log: rotated to .1 past log-max-bytes', async () => {
    const dir = join(root, 'rel-log')
    mkdirSync(dir, { recursive: true })
    const handle = await start({ command: 'i=0; while [ $i -lt 400 ]; do echo "line $i of a chatty service"; i=$((i+1)); done; sleep 30', 'log-max-bytes': 4096 }, dir)
    const log = (handle.data as { log: string }).log
    await until('the output', () => existsSync(log) && statSync(log).size > 4096)
    await target.check(ctx(), config({ command: 'x', 'log-max-bytes': 4096 }), handle)
    expect(statSync(`${log}.1`).size).toBeGreaterThan(4096)
    expect(statSync(log).size).toBeLessThan(4096)
  })

  it('fails to start with PW_ERR_DEPLOY_START when the command does not exist', async () => {
    const dir = join(root, 'rel-missing')
    mkdirSync(dir, { recursive: true })
    await expect(start({ command: ['./no-such-binary'] }, dir)).rejects.toMatchObject({ code: 'PW_ERR_DEPLOY_START' })
  })
})
