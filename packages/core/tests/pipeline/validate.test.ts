import { describe, expect, it } from 'vitest'
import { definePlugin, formatProblem, z } from '@pipewright/plugin-api'
import { readPipelineFile } from '../../src/pipeline/load.js'
import { validatePipeline } from '../../src/pipeline/validate.js'
import { dockerLike, noSchema } from './fixture-plugins.js'
import { registryOf, tempProject } from './helpers.js'

const registry = registryOf(dockerLike, noSchema)

async function validateYaml(yaml: string) {
  const dir = tempProject({ 'pipewright.yml': yaml })
  const loaded = await readPipelineFile(dir)
  const result = validatePipeline(loaded.input, { file: 'pipewright.yml', locator: loaded.locator, registry })
  return { ...result, text: result.problems.map(formatProblem).join('\n') }
}

describe('validatePipeline on YAML files', () => {
  it('says what a stage id may look like', async () => {
    const { text } = await validateYaml('name: ids\nstages:\n  "my stage": { run: "true" }\n')
    expect(text).toBe('pipewright.yml:3:3 stages.my stage: Invalid key "my stage": Stage ids are letters, digits, _ and -')
  })

  it('reports every problem at once, with its path and line:column, top to bottom', async () => {
    const { spec, problems, text } = await validateYaml(`name: demo
secrets: [TOKEN]
nmae: oops
stages:
  build:
    uses: docker/biuld
    with: { tag: 1 }
  image:
    uses: docker/build
    with:
      tag: 3
      contxt: x
      push: { registry: 1 }
    gates:
      - uses: docker/image-size
        with: { max: "big" }
      - uses: docker/size
  test:
    needs: [biuld, deploy]
    run: echo \${{ stages.deploy.outputs.x }} \${{ secrets.NOPE }} \${{ matrix.os }} \${{ a + b }} \${{ foo.bar }}
    matrix: { node: [18, "18"] }
    timeout: forever
    retry: { max: 1, bogus: 2 }
    if: \${{ env.A }} == 'x'
  deploy:
    needs: test
    run: [echo, '\${{ success() }}']
    env: { A: '\${{ env.B' }
    cache: { key: '\${{ stages.image.outputs.tag }}' }
    wat: 1
`)
    expect(spec).toBeUndefined()
    expect(text).toMatchInlineSnapshot(`
      "pipewright.yml:3:1 nmae: Unknown key "nmae". Did you mean "name"?
      pipewright.yml:6:5 stages.build.uses: Unknown stage type "docker/biuld". Did you mean "docker/build"? Is its plugin listed in \`plugins:\`?
      pipewright.yml:11:7 stages.image.with.tag: Expected string, got number 3
      pipewright.yml:12:7 stages.image.with.contxt: Unknown key "contxt". Did you mean "context"?
      pipewright.yml:13:15 stages.image.with.push.registry: Expected string, got number 1
      pipewright.yml:16:17 stages.image.gates.0.with.max: Expected number, got string "big"
      pipewright.yml:17:9 stages.image.gates.1.uses: Unknown gate type "docker/size". Known gate types: docker/image-size. Is its plugin listed in \`plugins:\`?
      pipewright.yml:19:13 stages.test.needs.0: Stage "test" needs "biuld", which is not a stage. Did you mean "build"?
      pipewright.yml:19:20 stages.test.needs.1: Stages depend on each other in a cycle: test → deploy → test
      pipewright.yml:20:5 stages.test.run: secrets.NOPE in \${{ secrets.NOPE }}: the secret "NOPE" is not declared; add it to the pipeline's \`secrets:\` list.
      pipewright.yml:20:5 stages.test.run: matrix.os in \${{ matrix.os }}: stage "test" has no matrix key "os".
      pipewright.yml:20:5 stages.test.run: Invalid expression "a + b": Operator + is not supported at position 3
      pipewright.yml:20:5 stages.test.run: Unknown name "foo" in \${{ foo.bar }}: expressions can read env, secrets, vars, matrix, stages, run, git.
      pipewright.yml:21:5 stages.test.matrix: Matrix instance id "test[node=18]" occurs more than once; make the values of each matrix key distinct as text
      pipewright.yml:22:5 stages.test.timeout: Invalid duration "forever": use e.g. 500ms, 30s, 10m, 1h
      pipewright.yml:23:22 stages.test.retry.bogus: Unknown key "bogus".
      pipewright.yml:24:5 stages.test.if: Condition "\${{ env.A }} == 'x'" mixes \${{ }} with other text
      pipewright.yml:27:17 stages.deploy.run.1: success() in \${{ success() }}: status functions can only be used in \`if:\`
      pipewright.yml:28:12 stages.deploy.env.A: Unclosed \${{ at position 1 of "\${{ env.B"
      pipewright.yml:29:14 stages.deploy.cache.key: stages.image in \${{ stages.image.outputs.tag }}: "image" is not among the needs of stage "deploy"; add it to \`needs:\` so its outputs exist when this runs
      pipewright.yml:30:5 stages.deploy.wat: Unknown key "wat". Did you mean "with"?"
    `)
    expect(new Set(problems.map((p) => p.code))).toEqual(new Set(['PW_ERR_CONFIG_INVALID', 'PW_ERR_PLUGIN_NOT_FOUND', 'PW_ERR_EXPRESSION']))
  })

  it('returns the parsed spec, with shorthands expanded, when there is no problem', async () => {
    const { spec, problems } = await validateYaml(`name: demo
secrets: [TOKEN]
env: { REGION: eu }
stages:
  build:
    uses: docker/build
    with: { tag: '\${{ git.shortSha }}' }
    gates: [{ uses: docker/image-size, with: { max: 100 } }]
  test:
    needs: build
    matrix: { node: [18, 20] }
    run: npm test -- --node \${{ matrix.node }} --tag \${{ stages.build.outputs.tag }}
    retry: 2
    timeout: 10m
  deploy:
    needs: [test]
    if: "github_like == null || failure()"
    uses: shell/script
    with: { token: '\${{ secrets.TOKEN }}', tag: '\${{ stages.build.outputs.tag }}' }
`)
    expect(problems.map(formatProblem)).toEqual(['pipewright.yml:17:5 stages.deploy.if: Unknown name "github_like" in ${{ github_like == null || failure() }}: expressions can read env, secrets, vars, matrix, stages, run, git.'])
    expect(spec).toBeUndefined()
  })

  it('accepts a valid pipeline and applies transforms and defaults', async () => {
    const { spec, problems } = await validateYaml(`name: demo
stages:
  build:
    uses: docker/build
    with: { tag: '\${{ git.shortSha }}' }
  test:
    needs: build
    matrix: { node: [18, 20] }
    run: npm test -- \${{ matrix.node }} \${{ stages.build.outputs.tag }}
    retry: 2
    timeout: 10m
    if: always()
`)
    expect(problems).toEqual([])
    expect(spec?.stages.test).toMatchObject({ needs: ['build'], timeout: 600_000, retry: { max: 2, factor: 1, on: ['failure', 'timeout'] } })
  })

  it('skips plugin config values that are expressions: they are only known at run time', async () => {
    const { problems } = await validateYaml(`name: demo
stages:
  build:
    uses: docker/build
    with: { tag: x, push: { registry: r, retries: '\${{ vars.retries }}' } }
`)
    expect(problems).toEqual([])
  })

  it('allows stages.X for transitive needs and lets gates read their own stage', async () => {
    const { problems } = await validateYaml(`name: demo
stages:
  a: { run: echo a }
  b: { needs: a, run: echo b }
  c:
    needs: b
    run: echo \${{ stages.a.outputs.x }}
    gates: [{ uses: docker/image-size, with: { max: '\${{ stages.c.outputs.size }}' } }]
`)
    expect(problems).toEqual([])
  })

  it('names a missing required field at its parent and a stage without run or uses', async () => {
    const { text } = await validateYaml(`stages:
  lonely: {}
  built: { uses: docker/build }
`)
    expect(text).toMatchInlineSnapshot(`
      "pipewright.yml:1:1 name: Required (string)
      pipewright.yml:2:3 stages.lonely: A stage needs \`run:\`, \`uses:\` or \`deploy:\`
      pipewright.yml:3:3 stages.built.with.tag: Required (string)"
    `)
  })
})

describe('a first pipeline file', () => {
  it('that is empty (or only comments) is said to be empty, with a pipeline to start from', async () => {
    for (const yaml of ['', '# TODO: write the pipeline\n']) {
      const { problems } = await validateYaml(yaml)
      expect(problems).toHaveLength(1)
      expect(problems[0]).toMatchObject({ path: '', message: 'The pipeline file is empty.', code: 'PW_ERR_CONFIG_INVALID' })
      expect(problems[0]!.details).toContain('name: my-app\nstages:\n  lint:\n    run: npm run lint')
      expect(problems[0]!.details).toContain('pipewright init')
    }
  })

  it('without stages is told it needs a `stages:` map, with an example', async () => {
    for (const [yaml, where] of [['name: app\n', '1:1'], ['name: app\nstages:\n', '2:1']] as const) {
      const { problems } = await validateYaml(yaml)
      expect(problems.map(formatProblem)).toEqual([`pipewright.yml:${where} stages: A pipeline needs a \`stages:\` map: the steps it runs, by id.`])
      expect(problems[0]!.details).toMatch(/^Add the stages, each with `run:` \(a command\) or `uses:` .*\n\nname: my-app\nstages:\n/)
    }
  })
})

describe('unknown keys in a plugin\'s with:', () => {
  const loose = definePlugin({
    id: 'images',
    apiVersion: 1,
    register(api) {
      // Plain z.object: zod drops unknown keys without a word, so a typo would be lost.
      api.stage('build', {
        configSchema: z.object({ tags: z.array(z.string()), dockerfile: z.string().default('Dockerfile'), push: z.object({ registry: z.string() }).optional(), labels: z.record(z.string(), z.string()).default({}), extra: z.looseObject({}).optional() }),
        run: async () => undefined,
      })
    },
  })

  it('get a "did you mean" from a plain z.object schema as from a strict one, nested keys too; records and loose objects keep theirs', async () => {
    const dir = tempProject({
      'pipewright.yml': `name: demo
stages:
  image:
    uses: images/build
    with:
      tags: [app]
      dockerfle: build/Dockerfile
      push: { registy: localhost:5000 }
      labels: { team: core }
      extra: { anything: goes }
  linted:
    uses: docker/build
    with: { tag: x, contxt: . }
`,
    })
    const loaded = await readPipelineFile(dir)
    const { problems } = validatePipeline(loaded.input, { file: 'pipewright.yml', locator: loaded.locator, registry: registryOf(dockerLike, loose) })
    expect(problems.map(formatProblem)).toEqual([
      'pipewright.yml:7:7 stages.image.with.dockerfle: Unknown key "dockerfle". Did you mean "dockerfile"?',
      'pipewright.yml:8:7 stages.image.with.push.registry: Required (string)',
      'pipewright.yml:8:15 stages.image.with.push.registy: Unknown key "registy". Did you mean "registry"?',
      'pipewright.yml:13:21 stages.linted.with.contxt: Unknown key "contxt". Did you mean "context"?',
    ])
  })
})

describe('validatePipeline on objects (TS pipelines)', () => {
  it('reports problems without line numbers, naming the file', () => {
    const { problems } = validatePipeline({ name: 'x', stages: { a: { run: 'echo', needs: ['a'] } } }, { file: 'pipewright.config.ts', registry })
    expect(problems).toEqual([{ path: 'stages.a.needs.0', message: 'Stages depend on each other in a cycle: a → a', file: 'pipewright.config.ts', code: 'PW_ERR_CONFIG_INVALID' }])
  })

  it('reports a non-object input', () => {
    expect(validatePipeline(['a'], { registry }).problems.map(formatProblem)).toEqual(['Expected object, got a list'])
  })

  it('explains a union mismatch by the branch that matches the shape', () => {
    const { problems } = validatePipeline({ name: 'x', stages: { a: { run: 'x', needs: 3, retry: { max: 1, factor: 0 } } } }, { registry })
    expect(problems.map(formatProblem)).toEqual(['stages.a.needs: Expected string or array, got number 3', 'stages.a.retry.factor: Too small: expected number to be >=1'])
  })
})

describe('notify: filters', () => {
  it('name declared environments and stages, with a suggestion', async () => {
    const { text } = await validateYaml(`name: routes
notify:
  - { on: [run:failed], environments: [prodution], stages: [deploy-prd], uses: docker/build }
stages:
  deploy-prod: { run: "true" }
`)
    expect(text).toContain('pipewright.yml:3:40 notify.0.environments.0: Unknown environment "prodution". Declare it under `environments:`, or remove the filter.')
    expect(text).toContain('notify.0.stages.0: Unknown stage "deploy-prd". Did you mean "deploy-prod"?')
  })
})
