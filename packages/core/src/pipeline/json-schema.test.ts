import { describe, expect, it } from 'vitest'
import { pipelineJsonSchema } from './json-schema.js'

describe('pipelineJsonSchema', () => {
  const schema = pipelineJsonSchema() as { $schema: string; $id: string; properties: Record<string, any>; required: string[]; additionalProperties: boolean }
  const stage = schema.properties.stages.additionalProperties

  it('is a draft 2020-12 schema with an id', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
    expect(schema.$id).toBe('https://pipewright.dev/schema/pipeline.json')
    expect(schema.required).toEqual(['name', 'stages'])
    expect(schema.additionalProperties).toBe(false)
  })

  it('describes the input side of transforms: shorthands and durations as written', () => {
    expect(stage.properties.needs.anyOf).toEqual([{ type: 'string' }, { type: 'array', items: { type: 'string' } }])
    expect(stage.properties.timeout.type).toEqual(['string', 'number'])
    expect(stage.properties.retry.anyOf[0]).toMatchObject({ type: 'integer' })
    expect(stage.properties.retry.anyOf[1].required).toEqual(['max'])
  })

  it('carries the descriptions and rejects unknown stage keys', () => {
    expect(stage.additionalProperties).toBe(false)
    expect(stage.properties.uses.description).toBe('A plugin stage type instead of run:.')
    expect(schema.properties.stages.propertyNames.pattern).toBe('^[A-Za-z_][A-Za-z0-9_-]*$')
  })

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(pipelineJsonSchema()))).toEqual(pipelineJsonSchema())
  })
})
