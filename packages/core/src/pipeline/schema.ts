import { durationSchema, z } from '@pipewright/plugin-api'
import { globEscape } from '../security/paths.js'
import { analysisSchema, deploySpecSchema, ENVIRONMENT_NAME_PATTERN, environmentSchema } from './environment-schema.js'
import { triggerSchema } from './trigger-schema.js'

export { deploySpecSchema, ENVIRONMENT_NAME_PATTERN, environmentSchema, strategySchema } from './environment-schema.js'

/** Stage ids are the keys of `stages`. Matrix instances get `id[key=value,…]`. */
export const STAGE_ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/
export const USES_PATTERN = /^[a-z][a-z0-9-]*\/[a-z][a-z0-9-]*$/
export const SECRET_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/
/** Matrix keys are read as `matrix.<key>` in expressions. */
export const MATRIX_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/

const scalar = z.union([z.string(), z.number(), z.boolean()])
const envSchema = z.record(z.string(), scalar).describe('Environment variables; values may use ${{ … }} expressions.')

const retryObject = z.strictObject({
  max: z.number().int().min(0).max(100).describe('Attempts after the first.'),
  backoff: durationSchema.optional().describe('Delay before each retry, e.g. 1s; doubles with `factor`.'),
  factor: z.number().min(1).max(10).default(1).describe('Multiplier applied to the backoff after each retry.'),
  on: z
    .array(z.union([z.enum(['failure', 'timeout']), z.number().int()]))
    .min(1)
    .default(['failure', 'timeout'])
    .describe('Which failures retry: `failure` (any non-zero exit or error), `timeout`, or specific exit codes.'),
})

export const retrySchema = z
  .union([z.number().int().min(0).max(100), retryObject])
  .transform((r) => (typeof r === 'number' ? { max: r, backoff: undefined, factor: 1, on: ['failure', 'timeout'] as Array<'failure' | 'timeout' | number> } : r))
  .describe('Retries: a count, or { max, backoff, factor, on }.')

export const gateRefSchema = z.strictObject({
  uses: z.string().regex(USES_PATTERN, 'Must be <plugin>/<gate-type>').describe('The gate type, <plugin>/<gate>.'),
  with: z.record(z.string(), z.unknown()).optional().describe("Gate configuration, validated by the plugin's schema."),
  name: z.string().optional().describe('Display name.'),
  timeout: durationSchema.optional().describe('How long the gate may stay `pending` (the stage waits) before the stage fails, e.g. 24h; default: no limit.'),
})

export const notifyRouteSchema = z.strictObject({
  on: z
    .array(z.string().regex(/^[a-z]+:[a-z-]+$/, 'Event names look like run:failed or approval:requested'))
    .min(1)
    .describe('Events that send a notification: `run:succeeded`, `run:failed`, `run:cancelled`, `stage:failed`, `approval:requested`, `deploy:finished`, `deploy:rolled-back`, `rollback:started`, `environment:unhealthy`, `environment:recovered`, or any other event name (`gate:evaluated`, `risk:assessed` …).'),
  uses: z.string().regex(USES_PATTERN, 'Must be <plugin>/<notifier>').describe('The notifier type, <plugin>/<notifier>.'),
  with: z.record(z.string(), z.unknown()).optional().describe("Notifier configuration, validated by the plugin's schema; values may use ${{ secrets.* }}, ${{ vars.* }}, ${{ run.* }}, ${{ git.* }}."),
  stages: z.array(z.string()).optional().describe('Only events of these stages (stage ids; a matrix stage counts for its instances); events without a stage (run:*) pass. Default: any.'),
  environments: z
    .array(z.string().regex(ENVIRONMENT_NAME_PATTERN, 'Environment names are lower case letters, digits and -'))
    .min(1)
    .optional()
    .describe("Only events that concern these environments: an event's own environment (deploy:rolled-back, environment:unhealthy), a deploy stage's environment (stage:failed, approval:requested), or for run:* events any environment the run deploys to. Default: any event."),
})

export const serverSchema = z.strictObject({
  url: z
    .string()
    .refine((value) => /^https?:\/\/[^\s/]+/.test(value) && URL.canParse(value), 'Must be an http(s) URL, e.g. https://pipewright.example.com')
    .describe('Public URL of the server (the dashboard): notifications link to `<url>/runs/<run id>`.'),
})

const confinedGlob = z.string().refine((pattern) => globEscape(pattern) === undefined, 'Must stay inside the working directory: no absolute path, no .. segment')

export const cacheSchema = z.strictObject({
  inputs: z
    .array(confinedGlob)
    .default([])
    .describe('Globs (relative to the working directory, and inside it) whose contents key the cache; symbolic links count by their target text and are never followed.'),
  env: z.array(z.string()).default([]).describe('Environment variable names whose values key the cache.'),
  key: z.string().optional().describe('An extra string mixed into the key (may use expressions).'),
})

/** A worker label: what `pipewright worker --labels` accepts. */
const LABEL_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,31}$/
const LABEL_MESSAGE = 'A label is lowercase letters, digits, _ . - (up to 32)'

export const stageSchema = z
  .strictObject({
    name: z.string().optional().describe('Display name.'),
    description: z.string().optional().describe('Free text shown in the dashboard.'),
    needs: z.union([z.string(), z.array(z.string())]).optional().transform((n) => (n === undefined ? [] : typeof n === 'string' ? [n] : n)).describe('Stages that must finish first.'),
    run: z.union([z.string().min(1), z.array(z.string()).min(1)]).optional().describe('A shell command (sh -c) or an argv list.'),
    uses: z.string().regex(USES_PATTERN, 'Must be <plugin>/<stage-type>').optional().describe('A plugin stage type instead of run:.'),
    deploy: deploySpecSchema.optional().describe('Deploy a version into one of `environments:` instead of running a command (see the Deploy section).'),
    with: z.record(z.string(), z.unknown()).optional().describe("Plugin stage configuration, validated by the plugin's schema."),
    if: z.string().optional().describe('Condition: success() (default), failure(), always(), cancelled(), or any expression.'),
    env: envSchema.optional().describe('Environment variables of this stage, added to the pipeline `env:`; values may use ${{ … }} expressions.'),
    'working-directory': z.string().optional().describe('Relative to the pipeline file directory.'),
    matrix: z
      .record(z.string().regex(MATRIX_KEY_PATTERN, 'Matrix keys are letters, digits and _'), z.array(scalar).min(1))
      .optional()
      .describe('One instance per combination of values, in key order; instances are named id[key=value,…] and read `${{ matrix.<key> }}`.'),
    retry: retrySchema.optional().describe('Retries: a count, or { max, backoff, factor, on }.'),
    timeout: durationSchema.optional().describe('Kill the stage after this long, e.g. 10m.'),
    'continue-on-error': z.boolean().optional().describe('A failure does not fail the run nor skip dependents.'),
    cache: cacheSchema.optional().describe('Skip the stage when its inputs are unchanged since a successful run.'),
    artifacts: z.array(z.string()).optional().describe('Globs collected after the stage succeeds.'),
    gates: z.array(gateRefSchema).optional().describe('Evaluated after the stage; a failing gate fails the stage.'),
    analysis: analysisSchema.optional().describe('Monitors measured after the stage succeeded (after its gates), judged by conditions and limits; a failed verdict fails the stage unless `advisory: true`.'),
    idempotent: z.boolean().optional().describe('false: never re-run automatically on resume, nor on another worker when the one running it is lost.'),
    'runs-on': z
      .union([z.string().regex(LABEL_PATTERN, LABEL_MESSAGE), z.array(z.string().regex(LABEL_PATTERN, LABEL_MESSAGE)).min(1).max(6)])
      .optional()
      .transform((labels) => (labels === undefined ? undefined : typeof labels === 'string' ? [labels] : [...new Set(labels)].sort()))
      .describe('Worker labels the stage needs (`[docker]`, `[linux, gpu]`): with `run --queue`, only a worker started with all of them (`pipewright worker --labels …`) takes it; while none is connected the stage waits, saying so. Local runs ignore it.'),
  })
  .superRefine((stage, ctx) => {
    const actions = (['run', 'uses', 'deploy'] as const).filter((key) => stage[key] !== undefined)
    if (actions.length === 0) ctx.addIssue({ code: 'custom', message: 'A stage needs `run:`, `uses:` or `deploy:`' })
    if (actions.length > 1) ctx.addIssue({ code: 'custom', path: [actions[1]!], message: `A stage has one of \`run:\`, \`uses:\` and \`deploy:\`, not ${actions.map((a) => `\`${a}:\``).join(' and ')}` })
    if (stage.deploy !== undefined) {
      if (stage.cache !== undefined) ctx.addIssue({ code: 'custom', path: ['cache'], message: 'A deploy stage is never served from the cache: remove `cache:`' })
      if (stage.matrix !== undefined) ctx.addIssue({ code: 'custom', path: ['matrix'], message: 'A deploy stage has no matrix: write one stage per environment' })
    }
    if (stage.with !== undefined && stage.uses === undefined) ctx.addIssue({ code: 'custom', path: ['with'], message: '`with:` only applies to `uses:` stages' })
  })

export const pluginRefSchema = z.union([
  z.string().min(1),
  z.strictObject({
    package: z.string().min(1).describe('Package name or path (./local-plugin.ts).'),
    config: z.record(z.string(), z.unknown()).optional().describe("The plugin's configuration."),
  }),
])

export const pipelineSchema = z
  .strictObject({
    $schema: z.string().optional().describe('URL or path of the JSON Schema, for editors (`pipewright schema` prints it).'),
    name: z.string().min(1).describe('Pipeline name, used to group runs.'),
    description: z.string().optional().describe('Free text shown in the dashboard.'),
    env: envSchema.optional().describe('Environment variables for every stage; values may use ${{ … }} expressions.'),
    secrets: z.array(z.string().regex(SECRET_NAME_PATTERN, 'Secret names are letters, digits and _')).optional().describe('Secret names that must be provided at run time.'),
    concurrency: z.number().int().min(1).optional().describe('Max stages at once (default: CPU count).'),
    'fail-fast': z.boolean().optional().describe('Cancel everything at the first failure.'),
    plugins: z.array(pluginRefSchema).optional().describe('Extra plugins: package names or paths.'),
    environments: z
      .record(z.string().regex(ENVIRONMENT_NAME_PATTERN, 'Environment names are lower case letters, digits and -'), environmentSchema)
      .optional()
      .describe('Where `deploy:` stages put versions: each environment with its url, target, instances, health check and protection rules.'),
    on: triggerSchema.optional(),
    notify: z.array(notifyRouteSchema).optional().describe('Notifications: which events go to which notifier. A failing notifier never fails the run: it retries, then the failure is recorded (`pipewright show`).'),
    server: serverSchema.optional().describe('The Pipewright server this pipeline reports to: notifications link to its runs (PIPEWRIGHT_SERVER_URL overrides).'),
    stages: z.record(z.string().regex(STAGE_ID_PATTERN, 'Stage ids are letters, digits, _ and -'), stageSchema).describe('The stages; their ids are the keys.'),
  })
  .describe('A Pipewright pipeline')

/** A pipeline as written (before defaults and transforms). */
export type PipelineInput = z.input<typeof pipelineSchema>
/** A validated pipeline. */
export type PipelineSpec = z.output<typeof pipelineSchema>
export type StageSpec = z.output<typeof stageSchema>
export type RetrySpec = z.output<typeof retrySchema>
export type GateRef = z.output<typeof gateRefSchema>
export type NotifyRoute = z.output<typeof notifyRouteSchema>
export type PluginRef = z.output<typeof pluginRefSchema>

/** Typed helper for `pipewright.config.ts`. */
export function definePipeline(pipeline: PipelineInput): PipelineInput {
  return pipeline
}
