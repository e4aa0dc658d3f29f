import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ignorePipewrightState } from './gitignore.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pw-gitignore-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('ignorePipewrightState', () => {
  it('creates .gitignore, then leaves it alone', async () => {
    expect(await ignorePipewrightState(dir)).toBe('created')
    expect(await ignorePipewrightState(dir)).toBe('present')
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toBe('.pipewright/\n')
  })

  it('appends once to an existing .gitignore, with a newline before when its last line has none', async () => {
    await writeFile(join(dir, '.gitignore'), 'node_modules\ndist')
    expect(await ignorePipewrightState(dir)).toBe('appended')
    expect(await ignorePipewrightState(dir)).toBe('present')
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toBe('node_modules\ndist\n.pipewright/\n')
  })

  it('recognises an entry written another way', async () => {
    await writeFile(join(dir, '.gitignore'), '/.pipewright\n')
    expect(await ignorePipewrightState(dir)).toBe('present')
  })
})
