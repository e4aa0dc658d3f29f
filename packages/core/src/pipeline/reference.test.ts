import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { pipelineSchema } from './schema.js'
import { REFERENCE_COMMAND, renderPipelineReference } from './reference.js'

const committed = new URL('../../../../docs/pipeline-reference.md', import.meta.url)

describe('renderPipelineReference', () => {
  const text = renderPipelineReference()

  it('matches the committed docs/pipeline-reference.md (regenerate it if this fails)', () => {
    expect(readFileSync(committed, 'utf8'), `run: ${REFERENCE_COMMAND}`).toBe(text)
  })

  it('documents every top-level and stage key with its description', () => {
    for (const key of Object.keys(pipelineSchema.shape)) expect(text).toContain(`| \`${key}\` |`)
    expect(text).toContain('| `continue-on-error` | `boolean` |  |  | A failure does not fail the run nor skip dependents. |')
    expect(text).toContain('| `on` | `("failure" \\| "timeout" \\| integer)[]` |  | `["failure","timeout"]` |')
  })

  it('lists the expression functions and contexts', () => {
    expect(text).toContain("| `format` | `format('{0}-{1}', a, b)`")
    expect(text).toContain('| `secrets` |')
  })
})
