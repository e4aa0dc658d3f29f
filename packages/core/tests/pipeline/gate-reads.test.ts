import { describe, expect, it } from 'vitest'
import { formatProblem } from '@pipewright/plugin-api'
import { readPipelineFile } from '../../src/pipeline/load.js'
import { validatePipeline } from '../../src/pipeline/validate.js'
import { dockerLike, linterLike, reportsLike } from './fixture-plugins.js'
import { registryOf, tempProject } from './helpers.js'

const registry = registryOf(dockerLike, linterLike, reportsLike)

async function validateYaml(yaml: string): Promise<string> {
  const dir = tempProject({ 'pipewright.yml': yaml })
  const loaded = await readPipelineFile(dir)
  return validatePipeline(loaded.input, { file: 'pipewright.yml', locator: loaded.locator, registry }).problems.map(formatProblem).join('\n')
}

describe('a gate on a stage that does not write what it reads', () => {
  it('is reported on a run: stage, with line:column and where the gate belongs', async () => {
    const text = await validateYaml(`name: gates
stages:
  lint:
    run: npx eslint .
    gates:
      - uses: linter/max-issues
        with: { errors: 0 }
`)
    expect(text).toBe(
      'pipewright.yml:6:9 stages.lint.gates.0.uses: gate linter/max-issues reads linter.problems, which stage `lint` (run:) does not write; use it on a linter/* stage (linter/eslint or linter/sarif)',
    )
  })

  it('is reported on a stage type whose declared records lack it', async () => {
    const text = await validateYaml('name: gates\nstages:\n  unit:\n    uses: reports/junit\n    gates:\n      - uses: linter/max-issues\n')
    expect(text).toBe(
      'pipewright.yml:6:9 stages.unit.gates.0.uses: gate linter/max-issues reads linter.problems, which stage `unit` (reports/junit) does not write; use it on a linter/* stage (linter/eslint or linter/sarif)',
    )
  })

  it('passes on a stage that writes it', async () => {
    expect(await validateYaml('name: gates\nstages:\n  lint:\n    uses: linter/sarif\n    gates:\n      - uses: linter/max-issues\n')).toBe('')
  })

  it('is never reported for a stage type that declares no records, nor for a gate without reads', async () => {
    const yaml = `name: gates
stages:
  image:
    uses: docker/build
    with: { tag: app }
    gates:
      - uses: linter/max-issues
  plain:
    run: "true"
    gates:
      - uses: reports/anything
      - uses: docker/image-size
        with: { max: 10 }
`
    expect(await validateYaml(yaml)).toBe('')
  })
})
