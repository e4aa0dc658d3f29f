import { existsSync } from 'node:fs'
import { mkdir, symlink, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { createEngine } from '../../src/engine/engine.js'
import { createMemoryStore } from '@pipewright/store-api'
import { runFile, tempProject, type TempProject } from './helpers.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

describe('cache inputs', () => {
  it('patterns that leave the working directory are refused when the pipeline is loaded, at their line and column', async () => {
    project = await tempProject(`name: escape
stages:
  build:
    run: 'true'
    cache:
      inputs:
        - src/**
        - ../secrets/**
        - /etc/passwd
`)
    const problems = await createEngine().validate(project.file)
    expect(problems.map((p) => [p.path, p.line, p.column, p.message])).toEqual([
      ['stages.build.cache.inputs.1', 8, 11, 'Must stay inside the working directory: no absolute path, no .. segment'],
      ['stages.build.cache.inputs.2', 9, 11, 'Must stay inside the working directory: no absolute path, no .. segment'],
    ])
  })

  it('a symbolic link to a device or out of the workspace counts by its target text and is never read', async () => {
    project = await tempProject("name: links\nstages:\n  build:\n    run: 'echo built >> runs.log'\n    cache: { inputs: ['src/**'] }\n", { 'src/a.txt': 'a', 'outside.txt': 'x' })
    await symlink('/dev/zero', join(project.dir, 'src/zero'))
    await symlink('../outside.txt', join(project.dir, 'src/outside'))
    const engine = createEngine({ store: createMemoryStore() })
    expect((await runFile(project.file, {}, {}, engine)).stage('build').status).toBe('succeeded')
    await writeFile(join(project.dir, 'outside.txt'), 'changed')
    expect((await runFile(project.file, {}, {}, engine)).stage('build').status).toBe('cached')
  })

  it('cancel stops hashing a huge input at once: the stage is cancelled and never runs', async () => {
    project = await tempProject("name: huge\nstages:\n  build:\n    run: 'touch ran'\n    cache: { inputs: ['data/**'] }\n")
    await mkdir(join(project.dir, 'data'))
    // Sparse: 8 GiB to hash, no disk used. Read whole, it could not even be held in memory.
    await writeFile(join(project.dir, 'data/huge.bin'), '')
    await truncate(join(project.dir, 'data/huge.bin'), 8 * 1024 ** 3)
    const handle = await createEngine().run(project.file)
    await sleep(300)
    handle.cancel()
    const result = await handle.result
    expect(result.status).toBe('cancelled')
    expect(result.stages[0]).toMatchObject({ status: 'cancelled' })
    expect(existsSync(join(project.dir, 'ran'))).toBe(false)
  })
})
