import { durationSchema, z } from '@pipewright/plugin-api'

/** Environment names: what the agent, the lock and the CLI call an environment. */
export const ENVIRONMENT_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/
/** The routers the deployment agent runs listen on the loopback interface only. */
export const ENVIRONMENT_URL_PATTERN = /^http:\/\/127\.0\.0\.1:\d{2,5}\/?$/
const USES = /^[a-z][a-z0-9-]*\/[a-z][a-z0-9-]*$/
const hasExpression = (value: string) => value.includes('${{')

const canarySteps = z
  .array(z.number().min(1).max(100))
  .min(1)
  .refine((steps) => steps.every((v, i) => i === 0 || v > steps[i - 1]!), { message: 'Canary steps must increase, e.g. [10, 50, 100]' })

/** A monitor an analysis runs: `uses: monitoring/http` with its `with:` (a `url` or `metrics` starting with `/` is relative to the environment's url). */
export const monitorRefSchema = z.strictObject({
  uses: z.string().regex(USES, 'Must be <plugin>/<monitor>, e.g. monitoring/http').describe('The monitor type: `monitoring/http`, `monitoring/prometheus`, `monitoring/process`, or a plugin\'s.'),
  with: z.record(z.string(), z.unknown()).optional().describe("The monitor's configuration, validated by its plugin's schema. In `verify:`, a canary's `analysis:` and environment `monitors:`, a `url` or `metrics` that starts with `/` is relative to the environment's url."),
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'Monitor names are lower case letters, digits and -').optional().describe('Name in samples and evidence (default: the type, numbered when repeated).'),
})

const analysisFields = {
  monitors: z.array(monitorRefSchema).min(1).describe('The monitors whose samples are measured.'),
  interval: durationSchema.optional().describe("Time between two measurements of each monitor (sets the monitors' `interval` unless their `with:` has one)."),
  count: z.number().int().min(1).max(100_000).optional().describe('Stop after this many measurements (all monitors together).'),
  'success-condition': z.string().min(1).optional().describe('An expression over `result` (the sample: `result.<value>`, `result.healthy`, `result.monitor`) that makes a measurement successful, e.g. `result.status == 200`.'),
  'failure-condition': z.string().min(1).optional().describe('An expression over `result` that makes a measurement failed, e.g. `result[\'error-rate\'] > 0.05`.'),
  'failure-limit': z.number().int().min(0).default(0).describe('Failed measurements tolerated; one more and the verdict is `failed`.'),
  'inconclusive-limit': z.number().int().min(0).default(0).describe('Inconclusive measurements tolerated (neither condition held); one more and the verdict is `inconclusive`.'),
  advisory: z.boolean().default(false).describe('Record the verdict and notify, never act on it (no failed stage, no rollback).'),
}

/** An analysis in the style of Argo Rollouts' AnalysisTemplate: measurements judged by conditions, limits, a verdict. */
export const analysisSchema = z
  .strictObject({
    ...analysisFields,
    window: durationSchema.optional().describe('Stop after this long (e.g. 2m).'),
  })
  .refine((a) => a.count !== undefined || a.window !== undefined, { message: 'An analysis needs `count:` or `window:` (when to stop)' })
  .describe('Measures monitors after the stage succeeded; a `failed` or `inconclusive` verdict fails the stage unless `advisory: true`.')

/**
 * How a version replaces the one serving: a name, or a one-key mapping with its options
 * (`{ canary: { steps: [10, 50, 100], pause: 30s } }`, `{ blue-green: { keep-previous: 10m } }`).
 */
export const strategySchema = z
  .union([
    z.enum(['recreate', 'rolling', 'blue-green', 'canary']),
    z.strictObject({ recreate: z.strictObject({}).nullable().describe('Stop the old version, then start the new one (a short outage).') }),
    z.strictObject({ rolling: z.strictObject({}).nullable().describe('One instance at a time, each health-checked before the next.') }),
    z.strictObject({
      'blue-green': z
        .strictObject({ 'keep-previous': durationSchema.optional().describe('Keep the old instances idle this long, so a rollback is a switch back.') })
        .nullable()
        .describe('New beside old, health-checked, one atomic switch, then the old ones drain and stop.'),
    }),
    z.strictObject({
      canary: z
        .strictObject({
          steps: canarySteps.describe('Percentages of traffic for the new version, in order (100, the promotion, is added when missing).'),
          pause: durationSchema.optional().describe('How long each step is watched before the next (default 30s; with `analysis:`, the least a step lasts, default 0).'),
          analysis: analysisSchema
            .describe('An analysis after each step below 100, against the environment (a monitor `url: /…` is relative to its url): `successful` → the next step; `failed`, or `inconclusive` beyond its limit → the canary is aborted (all traffic back to the stable version, the deployment `rolled-back`, the environment latched) unless `advisory: true`.')
            .optional(),
        })
        .describe('Route growing shares of traffic to the new version; a failing check (or analysis) gives all traffic back at once.'),
    }),
  ])
  .describe('`recreate`, `rolling`, `blue-green` or `canary` (steps [10, 50, 100], pause 30s), or a mapping with options.')

const freezeWindowSchema = z.union([
  z.string().min(1),
  z.strictObject({
    cron: z.string().min(1).describe('Minutes during which deploys wait, as a cron expression (`* 17-23 * * 5`: Friday 17:00–23:59).'),
    timezone: z.string().optional().describe('IANA time zone of the expression (default: the machine\'s).'),
    reason: z.string().optional().describe('Shown in the waiting reason, e.g. "weekend freeze".'),
  }),
])

export const protectionSchema = z
  .strictObject({
    approvals: z.number().int().min(0).max(20).default(0).describe('Distinct people who must approve (`pipewright approve`) before a deploy here proceeds.'),
    'allow-self-approval': z.boolean().default(false).describe('Whether whoever triggered the run may count as one of its approvers.'),
    branches: z.array(z.string().min(1)).min(1).optional().describe('Only runs of these branches (globs, e.g. `release/*`) may deploy here; others fail at once.'),
    freeze: z.array(freezeWindowSchema).optional().describe('Cron windows in which deploys wait until the window ends (or fail with `--no-wait`). A string or `{ cron, timezone, reason }`.'),
    'approval-timeout': durationSchema.default(86_400_000).describe('How long a deploy waits for its approvals before it fails, e.g. 24h.'),
  })
  .describe('Rules a deploy here must pass, in this order: branches, freeze windows, approvals.')

export const healthSchema = z.strictObject({
  path: z.string().startsWith('/').default('/healthz').describe('The HTTP path checked on each instance before it gets traffic.'),
  'expect-status': z.array(z.number().int().min(100).max(599)).min(1).optional().describe('Statuses that count as healthy (default any 2xx or 3xx).'),
  timeout: durationSchema.optional().describe('One probe\'s timeout (default 2s).'),
  interval: durationSchema.optional().describe('Pause between probes of a new instance (default 250ms).'),
  'startup-timeout': durationSchema.optional().describe('How long a new instance has to become healthy (default 60s).'),
})

/** Post-deploy verification: an analysis over a window while the new version serves; unhealthy → automatic rollback. */
export const verifySchema = z
  .strictObject({
    ...analysisFields,
    window: durationSchema.pipe(z.number().min(1, 'Must be positive')).describe('How long the deployment is watched, e.g. 2m: the stage stays verifying until it passes.'),
  })
  .describe('Watch the deployment for `window`; if the verdict turns `failed` or `inconclusive`, it is rolled back automatically (unless `advisory: true`).')

/** Healing actions of continuous monitoring, with their limits. */
export const healingSchema = z
  .strictObject({
    action: z.enum(['restart', 'rollback']).describe('`restart` the instances, or `rollback` to the previous version.'),
    max: z.number().int().min(1).max(100).default(3).describe('Actions at most, while the environment stays unhealthy; then monitoring stops acting and alerts a person.'),
    backoff: durationSchema.default(10_000).describe('Wait before the first action; doubles after each.'),
    'max-backoff': durationSchema.default(300_000).describe('The back-off never exceeds this.'),
  })
  .describe('What continuous monitoring does when the environment turns unhealthy.')

export const environmentMonitorsSchema = z
  .strictObject({
    ...analysisFields,
    'unhealthy-after': z.number().int().min(1).default(3).describe('Consecutive failed measurements that make the environment unhealthy.'),
    'healthy-after': z.number().int().min(1).default(2).describe('Consecutive successful measurements that make an unhealthy environment recovered.'),
    healing: healingSchema.optional(),
  })
  .omit({ count: true, 'failure-limit': true, 'inconclusive-limit': true })

export const environmentSchema = z
  .strictObject({
    description: z.string().optional().describe('Free text.'),
    url: z
      .string()
      .refine((url) => hasExpression(url) || ENVIRONMENT_URL_PATTERN.test(url), { message: 'Must be http://127.0.0.1:<port> (the deployment agent\'s router listens there)' })
      .describe('Where the environment answers: `http://127.0.0.1:<port>`, served by the deployment agent\'s reverse proxy. May use `${{ vars.* }}`.'),
    target: z
      .strictObject({
        uses: z.string().regex(USES, 'Must be <plugin>/<target>, e.g. deploy/process').describe('The deployment target type: `deploy/process`, `docker/container`, or a plugin\'s.'),
        with: z.record(z.string(), z.unknown()).optional().describe("The target's configuration, validated by its plugin's schema."),
      })
      .describe('What runs the instances.'),
    instances: z.number().int().min(1).max(64).default(1).describe('Instances per version.'),
    health: healthSchema.optional().describe('The health check an instance passes before it gets traffic (default `{ path: /healthz }`).'),
    strategy: strategySchema.optional().describe('The default strategy of deploys here (default `rolling`); a deploy stage may choose another.'),
    env: z.record(z.string(), z.string()).optional().describe('Variables every instance gets (besides PORT and PIPEWRIGHT_ENVIRONMENT/VERSION/INSTANCE). Never put secrets here: they are stored with the agent\'s state.'),
    protection: protectionSchema.optional().describe('Branches, freeze windows and approvals.'),
    monitors: environmentMonitorsSchema.optional().describe('Continuous monitoring between deploys, kept running by `pipewright serve`, by `pipewright agent start -f <file>` for the environments it serves, or by `pipewright monitor <env>` (one watcher per environment across servers and agents on a store): health history, alerts when it turns unhealthy and recovers, and healing actions with limits.'),
  })
  .describe('A named deploy target with a lock, protection rules and a deployment history.')

export const deploySpecSchema = z
  .strictObject({
    environment: z.string().regex(ENVIRONMENT_NAME_PATTERN, 'Environment names are lower case letters, digits and -').describe('A key of `environments:`.'),
    version: z.string().min(1).max(200).optional().describe('The version deployed (may use expressions). Without `from:` or `image:`, a version this environment ran before is deployed again.'),
    from: z.string().min(1).optional().describe('The files to deploy: `<need>/<dir>` (the artifacts of a stage in `needs`, e.g. `build/dist`) or a path relative to the working directory.'),
    image: z.string().min(1).optional().describe('The image to deploy (a digest is best: `${{ stages.image.outputs.digest }}`).'),
    strategy: strategySchema.optional().describe("How the version replaces the one serving (default: the environment's `strategy`, else `rolling`)."),
    rollback: z.union([z.literal(true), z.string().min(1)]).optional().describe('Instead of a new version: `true` returns to the previous good version, a version string to that one.'),
    verify: verifySchema.optional().describe('Post-deploy verification: monitors watched for `window`; an unhealthy verdict rolls the deployment back automatically and fails the run.'),
  })
  .superRefine((deploy, ctx) => {
    if (deploy.rollback !== undefined) {
      for (const key of ['version', 'from', 'image'] as const) if (deploy[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: '`rollback:` deploys a version the environment ran before: leave out `version:`, `from:` and `image:`' })
      return
    }
    if (deploy.version === undefined) ctx.addIssue({ code: 'custom', path: ['version'], message: 'A deploy needs a `version:` (or `rollback:`)' })
    if (deploy.from !== undefined && deploy.image !== undefined) ctx.addIssue({ code: 'custom', path: ['image'], message: 'A deploy has either `from:` (files) or `image:`, not both' })
  })
  .describe('Deploys a version into an environment instead of running a command.')

export type EnvironmentSpec = z.output<typeof environmentSchema>
export type DeploySpec = z.output<typeof deploySpecSchema>
export type StrategyInput = z.output<typeof strategySchema>
export type ProtectionSpec = z.output<typeof protectionSchema>
export type AnalysisSpec = z.output<typeof analysisSchema>
export type VerifySpec = z.output<typeof verifySchema>
export type EnvironmentMonitorsSpec = z.output<typeof environmentMonitorsSchema>
export type MonitorRef = z.output<typeof monitorRefSchema>
