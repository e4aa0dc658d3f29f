import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { packBuildContext, resolveBuildContext } from './build-context.js'

let dir: string | undefined
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
  dir = undefined
})

async function contextWith(files: Record<string, string>) {
  dir = await mkdtemp(join(tmpdir(), 'pw-context-'))
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true })
    await writeFile(join(dir, name), text)
  }
  return resolveBuildContext(dir, '.', 'Dockerfile', 'stage "build" (docker/build)')
}

/** The names in a tar stream, as GNU tar lists them, or the stream's error. */
function listed(stream: Readable): Promise<{ names: string[]; error?: string }> {
  return new Promise((resolve) => {
    const tar = spawn('tar', ['-t'], { stdio: ['pipe', 'pipe', 'ignore'] })
    let out = ''
    let error: string | undefined
    tar.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
    stream.on('error', (e: Error) => {
      error = e.message
      tar.stdin.end()
    })
    stream.pipe(tar.stdin)
    tar.on('close', () => resolve({ names: out.split('\n').filter(Boolean).map((n) => n.replace(/\/$/, '')), ...(error ? { error } : {}) }))
  })
}

describe('the build context', () => {
  it('keeps a file under an excluded directory when a .dockerignore exception names it, as docker build does', async () => {
    const context = await contextWith({
      Dockerfile: 'FROM scratch\n',
      '.dockerignore': '*\n!package.json\n!dist/src\n',
      'package.json': '{}',
      'CHANGELOG.md': 'not sent',
      'dist/src/main.js': 'x',
      'dist/src/lib/util.js': 'y',
      'dist/other.txt': 'not sent',
    })
    const { names, error } = await listed(await packBuildContext(context))
    expect(error).toBeUndefined()
    expect(names.filter((n) => !n.endsWith('/')).sort()).toEqual(['.dockerignore', 'Dockerfile', 'dist/src', 'dist/src/lib', 'dist/src/lib/util.js', 'dist/src/main.js', 'package.json'])
  })

  it('sends everything but what .dockerignore excludes, and skips excluded directories', async () => {
    const context = await contextWith({ Dockerfile: 'FROM scratch\n', '.dockerignore': 'node_modules\n*.log\n', 'app.js': 'x', 'debug.log': 'no', 'node_modules/a/index.js': 'no' })
    const { names } = await listed(await packBuildContext(context))
    expect(names.sort()).toEqual(['.dockerignore', 'Dockerfile', 'app.js'])
  })

  it('fails the stream when a file disappears before it is sent, instead of ending the archive early', async () => {
    const files: Record<string, string> = { Dockerfile: 'FROM scratch\n' }
    for (let i = 0; i < 200; i++) files[`f${String(i).padStart(3, '0')}.txt`] = `file ${i}\n`
    const context = await contextWith(files)
    const stream = await packBuildContext(context)
    // The last entry is read long after this: another stage's temporary file, renamed away.
    await unlink(join(dir!, 'f199.txt'))
    const { names, error } = await listed(stream)
    expect(error).toMatch(/ENOENT/)
    expect(names).not.toContain('f199.txt')
  })
})
