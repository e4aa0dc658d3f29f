import { z } from '@pipewright/plugin-api'
import { pipelineSchema } from './schema.js'

/** Where editors can fetch the schema; `pipewright schema` prints the same document. */
export const PIPELINE_SCHEMA_ID = 'https://pipewright.dev/schema/pipeline.json'

/**
 * The JSON Schema of a pipeline file as written (`io: 'input'`: before defaults and transforms,
 * so `needs: build` and `retry: 2` are valid shorthands, and durations are strings or numbers).
 */
export function pipelineJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(pipelineSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>
  return { $schema: schema.$schema, $id: PIPELINE_SCHEMA_ID, title: 'Pipewright pipeline', ...schema }
}
