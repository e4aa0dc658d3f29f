import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isPipewrightError } from '@pipewright/plugin-api'
import { createStageContext } from '@pipewright/testing'
import { describe, expect, it } from 'vitest'
import { failedDeploy, notify, notifyWith } from './helpers/notifier.js'

const project = () => mkdtempSync(join(tmpdir(), 'pipewright-notify-file-'))
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  if (!isPipewrightError(error)) throw new Error(`expected a PipewrightError, got ${String(error)}`)
  return error
}

describe('notification/file', () => {
  it('appends one JSON line per notification, relative to the pipeline directory, creating directories', async () => {
    const dir = project()
    await notify('file', { path: '.pipewright/notifications.jsonl' }, failedDeploy({ id: 'n-1' }), { workspace: dir })
    await notify('file', { path: '.pipewright/notifications.jsonl' }, failedDeploy({ id: 'n-2', event: 'environment:recovered', severity: 'info', title: 'production recovered', reason: undefined, stageId: undefined }), { workspace: dir })
    const raw = readFileSync(join(dir, '.pipewright/notifications.jsonl'), 'utf8')
    expect(raw.endsWith('\n')).toBe(true)
    const [first, second] = lines(join(dir, '.pipewright/notifications.jsonl'))
    expect(first).toEqual({
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      id: 'n-1',
      event: 'deploy:rolled-back',
      severity: 'error',
      title: 'hello-service 1.4.2 rolled back in production',
      text: 'The verification window saw /healthz answer 500 for 3 samples in a row.',
      pipeline: 'hello-service',
      runId: 'run-20261130-0042',
      stageId: 'deploy-production',
      environment: 'production',
      reason: 'monitoring/http: GET http://10.0.0.5:8080/healthz answered 500 (expected 2xx)',
      url: 'https://pipewright.example.com/runs/run-20261130-0042',
      fields: { version: '1.4.2', 'previous version': '1.4.1' },
    })
    expect(second).toMatchObject({ id: 'n-2', event: 'environment:recovered', severity: 'info' })
    expect(second).not.toHaveProperty('reason')
  })

  it('never interleaves lines written at the same time', async () => {
    const dir = project()
    const ctx = createStageContext({ workspace: dir, pipelineName: 'hello-service' })
    // 40 concurrent notifiers with 96 KiB lines: the thread pool really writes them in parallel.
    const big = 'x'.repeat(96 * 1024)
    await Promise.all(Array.from({ length: 40 }, (_, i) => notifyWith(ctx, 'file', { path: 'out/n.jsonl' }, failedDeploy({ id: `n-${i}`, text: `${i}:${big}` }))))
    const written = lines(join(dir, 'out/n.jsonl'))
    expect(written).toHaveLength(40)
    expect(new Set(written.map((l) => l.id)).size).toBe(40)
    for (const l of written) expect(l.text).toBe(`${String(l.id).slice(2)}:${big}`)
  })

  it('keeps relative paths inside the pipeline directory: no .., no symlink out, no symlinked file', async () => {
    const dir = project()
    const outside = project()
    const plugin = await import('../src/index.js')
    expect(plugin.FileConfig.safeParse({ path: '../elsewhere.jsonl' }).error?.issues[0]?.message).toBe('A relative path must stay inside the pipeline directory (no ..); or give an absolute path')

    symlinkSync(outside, join(dir, 'logs'))
    const viaDir = await failure(notify('file', { path: 'logs/n.jsonl' }, failedDeploy(), { workspace: dir }))
    expect(viaDir.code).toBe('PW_ERR_PATH_ESCAPE')
    expect(viaDir.message).toBe('notification/file: logs/n.jsonl leads outside the pipeline directory through a symlink')

    writeFileSync(join(outside, 'target.jsonl'), '')
    symlinkSync(join(outside, 'target.jsonl'), join(dir, 'n.jsonl'))
    const viaFile = await failure(notify('file', { path: 'n.jsonl' }, failedDeploy(), { workspace: dir }))
    expect(viaFile.code).toBe('PW_ERR_PATH_ESCAPE')
    expect(readFileSync(join(outside, 'target.jsonl'), 'utf8')).toBe('')
  })

  it('writes to an absolute path the user configured', async () => {
    const elsewhere = project()
    const file = join(elsewhere, 'shared', 'notifications.jsonl')
    await notify('file', { path: file }, failedDeploy({ id: 'abs-1' }), { workspace: project() })
    expect(lines(file).map((l) => l.id)).toEqual(['abs-1'])
  })

  it('says which file it could not write', async () => {
    const dir = project()
    mkdirSync(join(dir, 'n.jsonl'))
    const error = await failure(notify('file', { path: 'n.jsonl' }, failedDeploy(), { workspace: dir }))
    expect(error.code).toBe('PW_ERR_NOTIFICATION_FILE')
    expect(error.message).toMatch(/^notification\/file: cannot append to n\.jsonl: EISDIR/)
  })

  it('never writes a secret of the run into the file', async () => {
    const dir = project()
    await notify('file', { path: 'n.jsonl' }, failedDeploy({ text: 'npm token npm_5e4d3c2b1a09', fields: { token: 'npm_5e4d3c2b1a09' } }), { workspace: dir, secrets: { NPM_TOKEN: 'npm_5e4d3c2b1a09' } })
    expect(readFileSync(join(dir, 'n.jsonl'), 'utf8')).not.toContain('npm_5e4d3c2b1a09')
  })
})
