import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { formatProblem, type PipewrightError } from '@pipewright/plugin-api'
import { readPipelineFile } from '../../src/pipeline/load.js'
import { findPipelineFile } from '../../src/pipeline/find-file.js'
import { tempProject } from './helpers.js'

const schemaPath = fileURLToPath(new URL('../../src/pipeline/schema.ts', import.meta.url))

async function loadError(file: string): Promise<PipewrightError> {
  try {
    await readPipelineFile(file)
  } catch (error) {
    return error as PipewrightError
  }
  throw new Error(`expected ${file} to fail to load`)
}

describe('findPipelineFile', () => {
  it('prefers pipewright.yml, then .yaml, then the config files', () => {
    const dir = tempProject({ 'pipewright.config.ts': 'export default {}', 'pipewright.yaml': 'name: x' })
    expect(findPipelineFile(dir)).toBe(join(dir, 'pipewright.yaml'))
    expect(findPipelineFile(tempProject({ 'pipewright.config.mjs': '' }))).toMatch(/pipewright\.config\.mjs$/)
  })

  it('returns undefined when there is none', () => {
    expect(findPipelineFile(tempProject({ 'README.md': '' }))).toBeUndefined()
  })
})

describe('readPipelineFile: YAML', () => {
  it('reads the input and locates paths at their keys', async () => {
    const dir = tempProject({ 'pipewright.yml': 'name: demo\nstages:\n  build:\n    run: make\n    gates:\n      - uses: a/b\n' })
    const { input, file, dir: where, locator } = await readPipelineFile(join(dir, 'pipewright.yml'))
    expect(input).toEqual({ name: 'demo', stages: { build: { run: 'make', gates: [{ uses: 'a/b' }] } } })
    expect(file).toBe(join(dir, 'pipewright.yml'))
    expect(where).toBe(dir)
    expect(locator?.locate(['stages', 'build', 'run'])).toEqual({ line: 4, column: 5 })
    expect(locator?.locate(['stages', 'build', 'gates', 0, 'uses'])).toEqual({ line: 6, column: 9 })
    // A missing path points at its deepest existing parent.
    expect(locator?.locate(['stages', 'build', 'with', 'tag'])).toEqual({ line: 3, column: 3 })
  })

  it('throws PW_ERR_YAML_SYNTAX with every error, duplicate keys included', async () => {
    const dir = tempProject({ 'pipewright.yml': 'name: demo\nname: again\nstages:\n  a: { run: x\n  b: [1, 2\n' })
    const error = await loadError(join(dir, 'pipewright.yml'))
    expect(error.code).toBe('PW_ERR_YAML_SYNTAX')
    expect(error.problems.length).toBeGreaterThanOrEqual(2)
    expect(error.problems[0]).toMatchObject({ file: join(dir, 'pipewright.yml'), line: 2, column: 1, message: 'Map keys must be unique' })
    expect(error.problems.every((p) => p.line !== undefined && p.column !== undefined && p.code === 'PW_ERR_YAML_SYNTAX')).toBe(true)
    expect(error.message).toBe(`${join(dir, 'pipewright.yml')}:2:1: Map keys must be unique (and ${error.problems.length - 1} more)`)
  })

  it('reports a tab indentation error at its line', async () => {
    const dir = tempProject({ 'pipewright.yml': 'name: demo\nstages:\n\tbuild: {}\n' })
    const error = await loadError(join(dir, 'pipewright.yml'))
    expect(error.code).toBe('PW_ERR_YAML_SYNTAX')
    expect(error.problems.map((p) => p.line)).toContain(3)
  })
})

describe('readPipelineFile: TypeScript and JavaScript through jiti', () => {
  it('loads the default export of a pipewright.config.ts that imports definePipeline', async () => {
    const dir = tempProject({
      'pipewright.config.ts': `import { definePipeline } from ${JSON.stringify(schemaPath)}\nconst tag: string = 'v' + 1\nexport default definePipeline({ name: 'ts', stages: { build: { run: ['echo', tag] } } })\n`,
    })
    const { input, file, locator } = await readPipelineFile(dir)
    expect(file).toBe(join(dir, 'pipewright.config.ts'))
    expect(input).toEqual({ name: 'ts', stages: { build: { run: ['echo', 'v1'] } } })
    expect(locator).toBeUndefined()
  })

  it('loads a `pipeline` named export from an .mjs file', async () => {
    const dir = tempProject({ 'pipewright.config.mjs': `export const pipeline = { name: 'mjs', stages: {} }\n` })
    expect((await readPipelineFile(dir)).input).toEqual({ name: 'mjs', stages: {} })
  })

  it('throws PW_ERR_CONFIG_INVALID naming a file that throws', async () => {
    const dir = tempProject({ 'pipewright.config.ts': `throw new Error('boom')\nexport default {}\n` })
    const error = await loadError(dir)
    expect(error.code).toBe('PW_ERR_CONFIG_INVALID')
    expect(error.message).toBe(`${join(dir, 'pipewright.config.ts')} could not be loaded: boom`)
    expect(error.details).toMatch(/pipewright\.config\.ts/)
  })

  it('throws PW_ERR_CONFIG_INVALID for a file without a pipeline export', async () => {
    const dir = tempProject({ 'pipewright.config.js': 'export const other = 1\n' })
    const error = await loadError(dir)
    expect(error.code).toBe('PW_ERR_CONFIG_INVALID')
    expect(error.message).toBe(`${join(dir, 'pipewright.config.js')} exports no pipeline`)
  })
})

describe('readPipelineFile: missing files', () => {
  it('throws PW_ERR_PIPELINE_NOT_FOUND for a missing file', async () => {
    const dir = tempProject({})
    const error = await loadError(join(dir, 'nope.yml'))
    expect(error.code).toBe('PW_ERR_PIPELINE_NOT_FOUND')
    expect(error.message).toBe(`No pipeline at ${join(dir, 'nope.yml')}: the file does not exist`)
  })

  it('throws PW_ERR_PIPELINE_NOT_FOUND for a directory without a pipeline file', async () => {
    const dir = tempProject({ 'other.yml': '' })
    const error = await loadError(dir)
    expect(error.code).toBe('PW_ERR_PIPELINE_NOT_FOUND')
    expect(formatProblem({ path: '', message: error.details })).toMatch(/pipewright\.yml/)
  })
})
