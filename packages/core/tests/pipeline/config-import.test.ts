import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { readPipelineFile } from '../../src/pipeline/load.js'

let dir: string | undefined
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('pipewright.config.ts outside a project that installs @pipewright/core', () => {
  it("imports definePipeline from the engine's own @pipewright/core (built dist)", async () => {
    dir = await mkdtemp(join(tmpdir(), 'pw-config-'))
    await writeFile(
      join(dir, 'pipewright.config.ts'),
      "import { definePipeline } from '@pipewright/core'\nexport default definePipeline({ name: 'typed', stages: { hello: { run: 'echo hi' } } })\n",
    )
    const read = await readPipelineFile(join(dir, 'pipewright.config.ts'))
    expect(read.input).toEqual({ name: 'typed', stages: { hello: { run: 'echo hi' } } })
  })
})
