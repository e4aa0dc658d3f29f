import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { computeCacheKey, type CacheKeyInput } from './cache-key.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pw-cache-'))
  await writeFile(join(dir, 'a.txt'), 'one')
  await writeFile(join(dir, 'b.txt'), 'two')
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const base = (): CacheKeyInput => ({ action: { run: 'build' }, env: { A: '1', B: '2' }, workspace: dir, inputs: ['*.txt'], needsOutputs: { x: { v: '1' } } })

describe('computeCacheKey', () => {
  it('is stable, whatever the order of env keys', async () => {
    const key = await computeCacheKey(base())
    expect(key).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(await computeCacheKey({ ...base(), env: { B: '2', A: '1' } })).toBe(key)
  })

  it('changes with the action, the env, the needs outputs, the extra key and input file contents', async () => {
    const key = await computeCacheKey(base())
    const variants = [
      { ...base(), action: { run: 'build --prod' } },
      { ...base(), env: { A: '1', B: '3' } },
      { ...base(), needsOutputs: { x: { v: '2' } } },
      { ...base(), extra: 'v2' },
    ]
    for (const v of variants) expect(await computeCacheKey(v)).not.toBe(key)
    await writeFile(join(dir, 'b.txt'), 'changed')
    expect(await computeCacheKey(base())).not.toBe(key)
  })
})

describe('cache inputs', () => {
  let root: string
  let ws: string
  const key = (inputs: string[], signal?: AbortSignal) => computeCacheKey({ action: 1, env: {}, workspace: ws, inputs, needsOutputs: {} }, signal)

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'pw-cache-links-'))
    ws = join(root, 'ws')
    await mkdir(join(ws, 'src'), { recursive: true })
    await mkdir(join(root, 'outside'))
    await writeFile(join(ws, 'src/a.txt'), 'a')
    await writeFile(join(root, 'outside/secret.txt'), 'outside')
    await symlink('/dev/zero', join(ws, 'src/zero'))
    await symlink('../../outside', join(ws, 'src/out-dir'))
    await symlink('../../outside/secret.txt', join(ws, 'src/out-file'))
    execFileSync('mkfifo', [join(ws, 'src/fifo')])
  })
  afterAll(() => rm(root, { recursive: true, force: true }))

  it('never follows a symbolic link: it counts by its target text, whatever it points to', async () => {
    const before = await key(['src/**'])
    expect(before).toMatch(/^sha256:/)
    await writeFile(join(root, 'outside/secret.txt'), 'changed outside')
    await writeFile(join(root, 'outside/new.txt'), 'new')
    expect(await key(['src/**'])).toBe(before)
    await unlink(join(ws, 'src/out-file'))
    await symlink('../../outside/new.txt', join(ws, 'src/out-file'))
    expect(await key(['src/**'])).not.toBe(before)
  })

  it('refuses patterns that reach outside the working directory', async () => {
    for (const pattern of ['../outside/*', '/etc/passwd', '{..,src}/x', '!../x', 'src/out-dir/**']) {
      await expect(key([pattern]), pattern).rejects.toMatchObject({ code: 'PW_ERR_PATH_ESCAPE' })
    }
  })

  it('reads nothing once the signal is aborted', async () => {
    expect(await key(['src/**'], AbortSignal.abort())).toBeUndefined()
  })
})

