import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CLOCK, createToken, definePlugin } from '@pipewright/plugin-api'
import { createFakeClock } from './fake-clock.js'
import { inspectPlugin } from './plugin-harness.js'
import { createGateContext, createStageContext } from './stage-context.js'

describe('createStageContext', () => {
  it('runs real commands in the workspace with the stage env and captures their output', async () => {
    const ctx = createStageContext({ files: { 'input.txt': 'hello\n' }, env: { GREETING: 'hi' } })
    const result = await ctx.exec('cat input.txt; echo "$GREETING"; echo oops >&2; exit 3')
    expect(result).toMatchObject({ exitCode: 3, stdout: 'hello\nhi\n', stderr: 'oops\n' })
    expect(ctx.captured.lines).toEqual([
      { stream: 'stdout', line: 'hello' },
      { stream: 'stdout', line: 'hi' },
      { stream: 'stderr', line: 'oops' },
    ])
    await expect(ctx.exec(['sh', '-c', 'exit 1'], { check: true })).rejects.toMatchObject({ code: 'PW_ERR_STAGE_FAILED' })
  })

  it('redacts secrets from logs and command output', async () => {
    const ctx = createStageContext({ secrets: { TOKEN: 's3cr3t-value' } })
    ctx.logger.info('using s3cr3t-value', { token: 's3cr3t-value' })
    await ctx.exec(['node', '-e', 'console.log(process.argv[1])', 's3cr3t-value'])
    expect(ctx.secrets.get('TOKEN')).toBe('s3cr3t-value')
    expect(ctx.captured.log()).not.toContain('s3cr3t-value')
    expect(ctx.captured.log()).toContain('using ***')
  })

  it('keeps outputs, summary, artifacts, records and events', async () => {
    const history = [{ runId: 'r0', stageId: 'test', kind: 'x.count', data: 1, createdAt: 1, runStatus: 'succeeded' }]
    const ctx = createStageContext({ files: { 'dist/a.txt': 'A', 'dist/b.txt': 'BB' }, history })
    ctx.outputs.set('count', 2)
    ctx.summary('two files')
    const added = await ctx.artifacts.add('dist/*.txt')
    await ctx.artifacts.write('report.json', '{}')
    await ctx.records.save('x.count', 2)
    ctx.emit('stage:log', { runId: ctx.runId, stageId: ctx.stageId, stream: 'system', line: 'hi', at: 0 })

    expect(ctx.captured.outputs).toEqual({ count: '2' })
    expect(ctx.captured.summary).toBe('two files')
    expect(added.map((a) => [a.path, a.size])).toEqual([['dist/a.txt', 1], ['dist/b.txt', 2]])
    expect(added[0]!.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(ctx.captured.artifact('report.json')?.toString()).toBe('{}')
    expect(await ctx.records.get('x.count')).toBe(2)
    expect((await ctx.records.previous('x.count'))?.data).toBe(1)
    expect(ctx.captured.events).toHaveLength(1)
    expect(await readFile(join(ctx.workspace, 'dist/a.txt'), 'utf8')).toBe('A')
    await expect(ctx.artifacts.add('../outside')).rejects.toMatchObject({ code: 'PW_ERR_PATH_ESCAPE' })
  })

  it('resolves the clock, given services, and names a missing one', () => {
    const clock = createFakeClock()
    const DB = createToken<{ url: string }>('test-db')
    const ctx = createStageContext({ clock, services: [[DB, { url: 'x' }]] })
    expect(ctx.resolve(CLOCK)).toBe(clock)
    expect(ctx.resolve(DB).url).toBe('x')
    expect(() => ctx.resolve(createToken('nope'))).toThrow(/no service registered for pipewright:nope/)
  })

  it('gives gates the gated stage', () => {
    const ctx = createGateContext({ stage: { id: 'deploy', status: 'failed', outputs: { url: 'http://x' } } })
    expect(ctx.stage).toEqual({ id: 'deploy', status: 'failed', outputs: { url: 'http://x' } })
  })
})

describe('createStageContext redaction', () => {
  const SECRET = 'hunter2-s3cr3t/value+x'

  it('masks secrets as the engine does: plain, base64 at any alignment, URL-encoded, each line', async () => {
    const ctx = createStageContext({ secrets: { TOKEN: SECRET, KEY: 'line-one-abc\nline-two-def' } })
    for (const prefix of ['', 'a', 'ab']) ctx.logger.info(Buffer.from(`${prefix}${SECRET}`).toString('base64'))
    ctx.logger.info(`url ${encodeURIComponent(SECRET)}`)
    await ctx.exec(['node', '-e', 'console.log("key: line-two-def")'])
    ctx.outputs.set('token', SECRET)
    ctx.summary(`used ${SECRET}`)
    await ctx.records.save('x.auth', { header: `Bearer ${SECRET}` })
    await ctx.artifacts.write('auth.txt', SECRET)
    const seen = [ctx.captured.log(), JSON.stringify(ctx.captured.outputs), ctx.captured.summary, JSON.stringify(await ctx.records.get('x.auth')), ctx.captured.artifact('auth.txt')?.toString()].join('\n')
    expect(seen).not.toContain(SECRET)
    expect(seen).not.toContain(encodeURIComponent(SECRET))
    expect(seen).not.toContain('line-two-def')
    expect(ctx.captured.log()).toContain('url ***')
    expect(ctx.captured.outputs.token).toBe('***')
    expect(ctx.captured.summary).toBe('used ***')
  })

  it('with redact: false keeps everything as the plugin produced it, and splits logger messages from fields', () => {
    const ctx = createStageContext({ secrets: { TOKEN: SECRET }, redact: false })
    ctx.logger.warn(`leaked ${SECRET}`, { n: 1 })
    ctx.outputs.set('token', SECRET)
    expect(ctx.captured.lines).toEqual([{ stream: 'system', level: 'warn', line: `leaked ${SECRET} {"n":1}`, message: `leaked ${SECRET}`, fields: { n: 1 } }])
    expect(ctx.captured.outputs.token).toBe(SECRET)
  })

  it('resolves the services an inspected plugin provides, built once', async () => {
    const CLIENT = createToken<{ id: number }>('test-client')
    let built = 0
    const plugin = definePlugin({ id: 'svc', apiVersion: 1, register: (api) => api.provide(CLIENT, { useFactory: () => ({ id: ++built }) }) })
    const inspected = await inspectPlugin(plugin)
    const ctx = createStageContext({ plugin: inspected })
    expect(ctx.resolve(CLIENT)).toBe(ctx.resolve(CLIENT))
    expect(inspected.resolver.resolve(CLIENT).id).toBe(1)
    expect(built).toBe(1)
  })
})
