import type { PluginNames } from './names.js'
import { VERSIONS } from './versions.js'

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`

/**
 * The commands a generated package is developed and released with, used by its scripts, its README
 * and the hint the generator prints. npm, because it comes with every Node install: a new plugin
 * repository cannot assume the author has pnpm or yarn (both run these scripts too).
 */
export const DEV_COMMANDS = {
  install: 'npm install',
  test: 'npm test',
  build: 'npm run build',
  changeset: 'npm run changeset',
  release: 'npm run release',
} as const

function packageJson(n: PluginNames): string {
  return json({
    name: n.packageName,
    version: '0.0.0',
    description: `Pipewright plugin: ${n.id}.`,
    license: 'MIT',
    type: 'module',
    sideEffects: false,
    keywords: ['pipewright', 'pipewright-plugin'],
    exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' }, './package.json': './package.json' },
    files: ['dist', 'README.md'],
    engines: { node: '>=20.19' },
    scripts: { build: 'tsup', test: 'vitest run', typecheck: 'tsc --noEmit', changeset: 'changeset', release: `${DEV_COMMANDS.build} && changeset publish` },
    peerDependencies: { '@pipewright/plugin-api': `^${VERSIONS.pluginApi}` },
    devDependencies: {
      '@changesets/cli': VERSIONS.changesets,
      '@pipewright/plugin-api': `^${VERSIONS.pluginApi}`,
      '@pipewright/testing': `^${VERSIONS.testing}`,
      '@types/node': VERSIONS.typesNode,
      tsup: VERSIONS.tsup,
      typescript: VERSIONS.typescript,
      vitest: VERSIONS.vitest,
    },
  })
}

const indexTs = (n: PluginNames) => `import { definePlugin, relativePathSchema, z } from '@pipewright/plugin-api'

/** \`${n.id}/greet\`: writes a greeting to a file and sets it as the \`greeting\` output. */
export const greetConfig = z.strictObject({
  name: z.string().min(1),
  file: relativePathSchema.default('greeting.txt'),
})

/** \`${n.id}/output-matches\`: passes when the gated stage set \`output\` and it matches \`pattern\`. */
export const outputMatchesConfig = z.strictObject({
  output: z.string().min(1),
  pattern: z.string().default('.+'),
})

export default definePlugin({
  id: '${n.id}',
  // The plugin-api major this plugin is written for; the engine refuses other majors.
  apiVersion: 1,
  description: 'TODO: say what ${n.id} does.',
  register(api) {
    api.stage('greet', {
      description: 'Writes a greeting to a file.',
      configSchema: greetConfig,
      outputs: ['greeting'],
      async run(ctx, config) {
        const greeting = \`Hello, \${config.name}!\`
        await ctx.exec(['node', '-e', 'require("node:fs").writeFileSync(process.argv[1], process.argv[2])', config.file, greeting], { check: true })
        ctx.outputs.set('greeting', greeting)
        ctx.logger.info(\`wrote \${config.file}\`)
        ctx.summary(greeting)
      },
    })
    api.gate('output-matches', {
      description: 'Checks an output of the gated stage.',
      configSchema: outputMatchesConfig,
      evaluate(ctx, config) {
        const value = ctx.stage.outputs[config.output]
        if (value === undefined) return { verdict: 'fail', reason: \`Stage \${ctx.stage.id} set no output "\${config.output}"\` }
        const ok = new RegExp(config.pattern).test(value)
        return {
          verdict: ok ? 'pass' : 'fail',
          reason: \`Output \${config.output} \${ok ? 'matches' : 'does not match'} /\${config.pattern}/\`,
          evidence: { value },
        }
      },
    })
  },
})
`

const pluginTest = (n: PluginNames) => `import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { evaluateGate, expectStage, runPipeline, runStage, type PipelineRun } from '@pipewright/testing'
import plugin from '../src/index.js'

let run: PipelineRun | undefined
afterEach(async () => {
  await run?.cleanup()
  run = undefined
})

describe('${n.id} plugin', () => {
  it('greets in a real pipeline and the gate checks the output', async () => {
    run = await runPipeline({
      plugins: [plugin],
      pipeline: {
        name: 'greet',
        stages: {
          hello: {
            uses: '${n.id}/greet',
            with: { name: 'World' },
            gates: [{ uses: '${n.id}/output-matches', with: { output: 'greeting', pattern: '^Hello' } }],
          },
        },
      },
    })
    expectStage(run, 'hello').toHaveStatus('succeeded').toHaveOutput('greeting', 'Hello, World!').toHaveGate('${n.id}/output-matches', 'pass')
    expect(await readFile(join(run.dir, 'greeting.txt'), 'utf8')).toBe('Hello, World!')
  })

  it('fails the stage when the gate fails', async () => {
    run = await runPipeline({
      plugins: [plugin],
      pipeline: {
        name: 'greet',
        stages: {
          hello: {
            uses: '${n.id}/greet',
            with: { name: 'World' },
            gates: [{ uses: '${n.id}/output-matches', with: { output: 'greeting', pattern: '^Bye' } }],
          },
        },
      },
    })
    expectStage(run, 'hello').toHaveStatus('failed').toHaveGate('${n.id}/output-matches', 'fail')
  })

  it('runs the stage and the gate alone, without an engine', async () => {
    const ctx = await runStage(plugin, 'greet', { with: { name: 'Unit', file: 'out.txt' } })
    expect(ctx.captured.outputs.greeting).toBe('Hello, Unit!')
    expect(await readFile(join(ctx.workspace, 'out.txt'), 'utf8')).toBe('Hello, Unit!')

    const gate = await evaluateGate(plugin, 'output-matches', { with: { output: 'greeting' }, stage: { outputs: {} } })
    expect(gate.verdict).toBe('fail')
    await expect(runStage(plugin, 'greet', { with: {} })).rejects.toMatchObject({ code: 'PW_ERR_PLUGIN_CONFIG' })
  })
})
`

const readme = (n: PluginNames) => `# ${n.packageName}

A [Pipewright](https://github.com/pipewright/pipewright) plugin.

## Install

\`\`\`sh
npm install --save-dev ${n.packageName}
\`\`\`

\`\`\`yaml
plugins: [${n.packageName}]
stages:
  hello:
    uses: ${n.id}/greet
    with: { name: World }
    gates:
      - uses: ${n.id}/output-matches
        with: { output: greeting, pattern: ^Hello }
\`\`\`

## Stages

### \`${n.id}/greet\`

| option | type | default | meaning |
| --- | --- | --- | --- |
| \`name\` | string | required | who to greet |
| \`file\` | relative path | \`greeting.txt\` | file to write the greeting to |

Outputs: \`greeting\`.

## Gates

### \`${n.id}/output-matches\`

| option | type | default | meaning |
| --- | --- | --- | --- |
| \`output\` | string | required | output of the gated stage to check |
| \`pattern\` | regular expression | \`.+\` | what the output must match |

## Develop

\`\`\`sh
${DEV_COMMANDS.install}
${DEV_COMMANDS.test}             # runs real pipelines with @pipewright/testing
${DEV_COMMANDS.build}        # dist/ with types
${DEV_COMMANDS.changeset}    # describe a change
npx changeset version && ${DEV_COMMANDS.release}   # bump versions, then build and publish
\`\`\`
`

const tsconfig = json({
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023'],
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: true,
    isolatedModules: true,
    verbatimModuleSyntax: true,
    declaration: true,
    noEmit: true,
  },
  include: ['src', 'tests'],
})

const tsupConfig = `import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
})
`

const vitestConfig = `import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    // Real pipelines spawn real processes: give them time on a busy CI machine.
    testTimeout: 30_000,
  },
})
`

const changesetConfig = json({
  $schema: 'https://unpkg.com/@changesets/config@3.1.1/schema.json',
  changelog: '@changesets/cli/changelog',
  commit: false,
  access: 'public',
  baseBranch: 'main',
  updateInternalDependencies: 'patch',
  ignore: [],
})

const initialChangeset = (n: PluginNames) => `---
'${n.packageName}': minor
---

First release: the \`${n.id}/greet\` stage and the \`${n.id}/output-matches\` gate.
`

/** Every file of a new plugin package, by relative path. */
export function pluginFiles(n: PluginNames): Record<string, string> {
  return {
    'package.json': packageJson(n),
    'src/index.ts': indexTs(n),
    'tests/plugin.test.ts': pluginTest(n),
    'vitest.config.ts': vitestConfig,
    'tsconfig.json': tsconfig,
    'tsup.config.ts': tsupConfig,
    'README.md': readme(n),
    '.changeset/config.json': changesetConfig,
    '.changeset/initial-release.md': initialChangeset(n),
    '.gitignore': 'node_modules/\ndist/\ncoverage/\n*.tgz\n',
  }
}
