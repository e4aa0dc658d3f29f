import { describe, expect, it } from 'vitest'
import type { PipewrightError } from '@pipewright/plugin-api'
import { planPipeline } from './plan.js'
import { pipelineSchema, type PipelineInput } from './schema.js'

const spec = (input: PipelineInput) => pipelineSchema.parse(input)

const pipeline = spec({
  name: 'demo',
  stages: {
    lint: { run: 'lint' },
    build: { run: 'build' },
    test: { needs: ['build'], run: 'test', matrix: { node: [18, 20], os: ['linux', 'mac'] } },
    docs: { run: 'docs' },
    deploy: { needs: ['test', 'lint'], run: 'deploy' },
  },
})

const ids = (plan: ReturnType<typeof planPipeline>) => plan.stages.map((s) => s.id)

function planError(options: Parameters<typeof planPipeline>[1]): PipewrightError {
  try {
    planPipeline(pipeline, options)
  } catch (error) {
    return error as PipewrightError
  }
  throw new Error('expected planPipeline to throw')
}

describe('planPipeline', () => {
  it('expands matrices in key order and orders stages topologically, ties by declaration', () => {
    const plan = planPipeline(pipeline)
    expect(plan.pipeline).toBe('demo')
    expect(ids(plan)).toEqual(['lint', 'build', 'test[node=18,os=linux]', 'test[node=18,os=mac]', 'test[node=20,os=linux]', 'test[node=20,os=mac]', 'docs', 'deploy'])
    expect(plan.stages[2]).toMatchObject({ stageId: 'test', matrix: { node: 18, os: 'linux' }, needs: ['build'] })
  })

  it('makes a need on a matrix stage wait for every instance', () => {
    const deploy = planPipeline(pipeline).stages.find((s) => s.id === 'deploy')
    expect(deploy?.needs).toEqual(['test[node=18,os=linux]', 'test[node=18,os=mac]', 'test[node=20,os=linux]', 'test[node=20,os=mac]', 'lint'])
  })

  it('puts a stage after its needs even when declared before them', () => {
    const plan = planPipeline(spec({ name: 'x', stages: { c: { needs: 'b', run: 'c' }, b: { needs: 'a', run: 'b' }, a: { run: 'a' }, z: { run: 'z' } } }))
    expect(ids(plan)).toEqual(['a', 'b', 'c', 'z'])
  })

  it('keeps only the named stages and instances, dropping needs outside them', () => {
    const plan = planPipeline(pipeline, { only: ['deploy', 'test[node=20,os=mac]'] })
    expect(ids(plan)).toEqual(['test[node=20,os=mac]', 'deploy'])
    expect(plan.stages.map((s) => s.needs)).toEqual([[], ['test[node=20,os=mac]']])
  })

  it('starts from a stage: it and its transitive dependents', () => {
    expect(ids(planPipeline(pipeline, { from: 'build' }))).toEqual(['build', 'test[node=18,os=linux]', 'test[node=18,os=mac]', 'test[node=20,os=linux]', 'test[node=20,os=mac]', 'deploy'])
    expect(ids(planPipeline(pipeline, { from: 'test[node=18,os=mac]' }))).toEqual(['test[node=18,os=mac]', 'deploy'])
  })

  it('intersects only and from', () => {
    expect(ids(planPipeline(pipeline, { from: 'build', only: ['deploy', 'lint'] }))).toEqual(['deploy'])
  })

  it('throws PW_ERR_STAGE_NOT_FOUND with a suggestion for an unknown stage', () => {
    const error = planError({ only: ['deplyo'] })
    expect(error.code).toBe('PW_ERR_STAGE_NOT_FOUND')
    expect(error.message).toBe('--only: there is no stage "deplyo". Did you mean "deploy"?')
    expect(error.details).toBe('Use a stage id or a matrix instance id such as test[node=20]. Stages: lint, build, test, docs, deploy.')
    expect(planError({ from: 'tset' }).message).toBe('--from: there is no stage "tset". Did you mean "test"?')
    expect(planError({ only: ['test[node=22,os=mac]'] }).message).toBe('--only: there is no stage "test[node=22,os=mac]". Did you mean "test[node=20,os=mac]"?')
  })

  it('throws PW_ERR_CONFIG_INVALID for an unvalidated spec with a cycle', () => {
    const cyclic = spec({ name: 'x', stages: { a: { needs: 'b', run: 'a' }, b: { needs: 'a', run: 'b' } } })
    expect(() => planPipeline(cyclic)).toThrowError(expect.objectContaining({ code: 'PW_ERR_CONFIG_INVALID', message: 'Stages depend on each other in a cycle: a, b' }))
  })
})
