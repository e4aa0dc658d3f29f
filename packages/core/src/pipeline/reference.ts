import { EXPRESSION_CONTEXTS, EXPRESSION_FUNCTIONS } from '../expr/types.js'
import { pipelineJsonSchema } from './json-schema.js'

type JsonSchema = {
  type?: string | string[]
  description?: string
  default?: unknown
  properties?: Record<string, JsonSchema>
  required?: string[]
  additionalProperties?: JsonSchema | boolean
  propertyNames?: JsonSchema
  items?: JsonSchema
  anyOf?: JsonSchema[]
  enum?: unknown[]
  pattern?: string
}

/** The command that regenerates docs/pipeline-reference.md; printed in its header. */
export const REFERENCE_COMMAND = 'pnpm docs:generate'

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

function typeOf(schema: JsonSchema | boolean | undefined): string {
  if (schema === undefined || schema === true || (typeof schema === 'object' && Object.keys(schema).length === 0)) return 'any'
  if (schema === false) return 'never'
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(' | ')
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' | ')
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []
  return types
    .map((type) => {
      if (type === 'array') {
        const item = typeOf(schema.items)
        return item.includes(' | ') ? `(${item})[]` : `${item}[]`
      }
      if (type === 'object' && schema.additionalProperties !== undefined && !schema.properties) return `map of ${typeOf(schema.additionalProperties)}`
      return type
    })
    .join(' | ')
}

function table(schema: JsonSchema): string {
  const required = new Set(schema.required ?? [])
  const rows = Object.entries(schema.properties ?? {}).map(([key, property]) => {
    const fallback = property.default === undefined ? '' : `\`${JSON.stringify(property.default)}\``
    return `| \`${key}\` | \`${cell(typeOf(property))}\` | ${required.has(key) ? 'yes' : ''} | ${fallback} | ${cell(property.description ?? '')} |`
  })
  return ['| key | type | required | default | description |', '| --- | --- | --- | --- | --- |', ...rows].join('\n')
}

const objectBranch = (schema: JsonSchema | undefined): JsonSchema => schema?.anyOf?.find((branch) => branch.properties) ?? schema ?? {}

/** The environment, protection, health check and deploy sections. */
function deploymentSections(root: JsonSchema, stage: JsonSchema): string[] {
  const env = objectBranch(root.properties?.environments?.additionalProperties as JsonSchema | undefined)
  return [
    '## Environment (`environments.<name>`)',
    '',
    `Environment names match \`${(root.properties?.environments?.propertyNames as JsonSchema | undefined)?.pattern ?? ''}\`. Each has a lock (one deployment at a time, the others queued in arrival order, across processes), protection rules and a deployment history. The deployment agent serves it on its \`url\` and supervises its instances.`,
    '',
    table(env),
    '',
    '## Protection (`environments.<name>.protection`)',
    '',
    'Checked before the environment\'s lock is taken, in this order. A rollback is held to the approvals only.',
    '',
    table(env.properties?.protection ?? {}),
    '',
    '## Health check (`environments.<name>.health`)',
    '',
    table(env.properties?.health ?? {}),
    '',
    '## Deploy (`stages.<id>.deploy`)',
    '',
    'A stage with `deploy:` has no `run:`, `uses:`, `cache:` or `matrix:`. Its outputs: `url`, `version`, `previous-version`, `deployment-id`, `outcome` (`succeeded`, `failed`, `rolled-back`) and `strategy`.',
    '',
    table(objectBranch(stage.properties?.deploy)),
    '',
    'Strategies: `recreate`, `rolling`, `blue-green` (`{ blue-green: { keep-previous: 10m } }`), `canary` (`{ canary: { steps: [10, 50, 100], pause: 30s } }`; plain `canary` is steps 10, 50, 100 with a 30s pause; `{ canary: { steps: [10, 50], analysis: { … } } }` analyzes each step, below).',
    '',
    '## Post-deploy verification (`stages.<id>.deploy.verify`)',
    '',
    'The stage stays `verifying` (a wait, with the latest sample) for `window`; a `failed` or `inconclusive` verdict rolls the deployment back at once, records it `rolled-back` with the evidence, fails the run (PW_ERR_VERIFICATION_FAILED) and latches the environment until `pipewright ack <env>`. See docs/operations.md.',
    '',
    table(objectBranch(objectBranch(stage.properties?.deploy).properties?.verify)),
    '',
    '## Analysis between canary steps (`strategy: { canary: { analysis } }`)',
    '',
    'After each traffic step below 100 the deployment agent holds the step while the engine runs the analysis against the environment (a monitor `url: /…` is relative to its url; through its router, so the monitor sees the step\'s share of the new version). `successful`: the next step (a `pause:` is then the least a step lasts). `failed`, or `inconclusive` beyond its limit: the canary is aborted at once — all traffic back to the stable version, the canary\'s instances stopped — the deployment recorded `rolled-back` with the evidence (samples, condition, step), `rollback:started` emitted, the stage failed (PW_ERR_ANALYSIS_FAILED) and the environment latched until `pipewright ack <env>`. `advisory: true` only records and notifies the verdict. The fields are those of an analysis (below).',
    '',
    '## Analysis (`stages.<id>.analysis`)',
    '',
    'After the stage succeeded (and its gates passed): measurements until `count` or `window`. A measurement is judged by `failure-condition` (failed when it holds), `success-condition` (successful when it holds; with both, neither holding is inconclusive), or without conditions by the monitor\'s own verdict. Conditions read `result.<value>`, `result.healthy`, `result.monitor`.',
    '',
    table(objectBranch(stage.properties?.analysis)),
    '',
    '## Continuous monitoring (`environments.<name>.monitors`)',
    '',
    table(objectBranch(env.properties?.monitors)),
    '',
  ]
}

/** The notify route and server sections. */
function notificationSections(root: JsonSchema): string[] {
  return [
    '## Notify (`notify[]`)',
    '',
    'Which events go to which notifier; channels, messages, retries and the webhook signature: [notifications.md](notifications.md). A route takes an event when `on:` names it and every filter given lets it through.',
    '',
    table(root.properties?.notify?.items ?? {}),
    '',
    '## Server (`server`)',
    '',
    table(root.properties?.server ?? {}),
    '',
  ]
}

/**
 * Markdown reference of the pipeline file, generated from the schema's `.describe()` texts and
 * the expression language tables, so the documentation cannot drift from the code.
 */
export function renderPipelineReference(): string {
  const root = pipelineJsonSchema() as JsonSchema
  const stages = root.properties?.stages
  const stage = stages?.additionalProperties as JsonSchema
  const sections = [
    '# Pipeline reference',
    '',
    `<!-- Generated from packages/core/src/pipeline/schema.ts; do not edit. Regenerate with: ${REFERENCE_COMMAND} -->`,
    '',
    `A pipeline is a \`pipewright.yml\` (or \`pipewright.config.ts\` default-exporting \`definePipeline({...})\`). Every problem is reported before anything runs, with its path and line:column. \`pipewright schema\` prints the JSON Schema for editors. The file must be UTF-8: an invalid byte is refused with its offset and line:column, never replaced.`,
    '',
    '## Pipeline (top level)',
    '',
    table(root),
    '',
    `## Stage (\`stages.<id>\`)`,
    '',
    `Stage ids match \`${stages?.propertyNames?.pattern ?? ''}\`. A stage has one of \`run:\`, \`uses:\` and \`deploy:\`.`,
    '',
    table(stage),
    '',
    '## Retry (`stages.<id>.retry`)',
    '',
    'A number is the same as `{ max: <number> }`.',
    '',
    table(objectBranch(stage.properties?.retry)),
    '',
    '## Cache (`stages.<id>.cache`)',
    '',
    table(stage.properties?.cache ?? {}),
    '',
    '## Gate (`stages.<id>.gates[]`)',
    '',
    table(stage.properties?.gates?.items ?? {}),
    '',
    ...deploymentSections(root, stage),
    ...notificationSections(root),
    '## Plugin (`plugins[]`)',
    '',
    'A package name or path, or:',
    '',
    table(objectBranch(root.properties?.plugins?.items)),
    '',
    '## Matrix',
    '',
    'Keys expand to the cartesian product of their values, in key order: `matrix: { node: [18, 20], os: [linux] }` makes `test[node=18,os=linux]` and `test[node=20,os=linux]`. `needs: [test]` waits for every instance; `--only` and `--from` accept a stage id or an instance id.',
    '',
    '## Expressions',
    '',
    '`${{ … }}` may appear in `run`, `env`, `with`, `cache.key`, `working-directory` and gate `with`. Operators: `== != < <= > >= && || !` and parentheses; literals: numbers, `\'single\'` or `"double"` quoted strings (`\'\'` is a quote inside single quotes), `true`, `false`, `null`. Property access: `a.b` or `a[\'b\']`; a missing property is `null`. Strings compare ignoring case; other mixed types compare as numbers. `&&` and `||` return one of their operands, so `${{ env.TAG || \'latest\' }}` works. In text, `null` becomes empty and objects become JSON. An expression nests at most 100 levels deep (parentheses, operators, calls, properties).',
    '',
    '`if:` is written with or without `${{ }}`; it defaults to `success()`, and a condition that calls none of `success()`, `failure()`, `always()`, `cancelled()` means `success() && (condition)`.',
    '',
    '### In `run:` scripts',
    '',
    'A `run:` string is a shell script (`sh -c`), and no `${{ }}` value ever becomes part of its text. Each distinct expression is evaluated into an environment variable `PIPEWRIGHT_EXPR_<n>`, and the expression is replaced by a reference to that variable, quoted for where it stands so that the value arrives as one unchanged word: `"${PIPEWRIGHT_EXPR_0}"` outside quotes, `${PIPEWRIGHT_EXPR_0}` inside `"…"` and in an unquoted here-document (`<<EOF`), `\'"${PIPEWRIGHT_EXPR_0}"\'` inside `\'…\'`. A commit message, branch name or `--var` holding quotes, `$(…)`, backquotes, newlines, `#` or `EOF` is data, never code.',
    '',
    'Validation refuses, with its line and column, an expression the shell cannot expand: one inside a quoted here-document (`<<\'EOF\'`, `<<"EOF"`, `<<\\EOF`; write `<<EOF` and escape the `$`, `` ` `` and `\\` that must stay literal), one right after a backslash, and one in a here-document delimiter. A value is data to this script only: a script that hands it to another interpreter (`eval`, `sh -c "…"`, `ssh host "…"`) must quote it for that interpreter. A `run:` list has no shell: values go into its arguments as they are.',
    '',
    '| context | contents |',
    '| --- | --- |',
    ...Object.entries(EXPRESSION_CONTEXTS).map(([name, text]) => `| \`${name}\` | ${cell(text)} |`),
    '',
    '| function | meaning |',
    '| --- | --- |',
    ...Object.entries(EXPRESSION_FUNCTIONS).map(([name, { description }]) => `| \`${name}\` | ${cell(description)} |`),
    '',
    'Validation checks every expression: its syntax, that it reads only the contexts above, `stages.<id>` only for stages in its (transitive) `needs`, `secrets.<name>` only for names in `secrets:`, and `matrix.<key>` only for the stage\'s own matrix keys.',
    '',
  ]
  return sections.join('\n')
}
