import { z } from '@pipewright/plugin-api'

/** The sensitive paths every assessment checks unless `sensitive-paths` replaces them. */
export const DEFAULT_SENSITIVE_PATHS: Record<string, string[]> = {
  migrations: ['**/migrations/**', '**/migrate/**', '*.sql'],
  infrastructure: ['infra/**', 'infrastructure/**', 'terraform/**', '*.tf', 'k8s/**', 'helm/**', 'Dockerfile', 'docker-compose*.yml', '.github/workflows/**', 'pipewright.yml'],
  auth: ['**/auth/**', '**/*auth*', '**/*login*', '**/*session*', '**/*permission*'],
  lockfiles: ['package-lock.json', 'pnpm-lock.yaml', 'yarn.lock', 'Cargo.lock', 'go.sum', 'poetry.lock', 'Gemfile.lock'],
}

const hour = z.number().int().min(0).max(24)

export const assessConfigSchema = z.strictObject({
  environment: z.string().min(1).describe('The environment the change is about to reach: the change is measured from the commit it runs now.'),
  'approval-at': z.number().min(0).max(100).default(40).describe('A score at or above this waits for an approval (the stage waits; `pipewright approve <run> <stage>`).'),
  'block-at': z.number().min(0).max(100).default(70).describe('A score at or above this fails the gate: the deploy does not happen.'),
  'sensitive-paths': z.record(z.string(), z.array(z.string().min(1)).min(1)).optional().describe('Named groups of globs (replacing the defaults: migrations, infrastructure, auth, lockfiles); each group touched adds 15.'),
  'working-hours': z.tuple([hour, hour]).default([9, 17]).describe('Local hours [from, to) in `time-zone` when deploying adds no risk; outside them, Fridays after 15:00 and weekends add 10.'),
  'risky-days': z.array(z.enum(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'])).default(['Sat', 'Sun']).describe('Days on which any deploy adds 10.'),
  'friday-afternoon': z.boolean().default(true).describe('Fridays from 15:00 add 10.'),
  'time-zone': z.string().default('UTC').describe('IANA time zone for `working-hours`, e.g. Europe/Berlin.'),
  freezes: z.array(z.strictObject({ start: z.iso.datetime({ offset: true }), end: z.iso.datetime({ offset: true }).optional() })).default([])
    .describe('Change freezes (ISO date-times): inside one adds 30; within 24 h before one adds up to 15.'),
  tests: z.string().min(1).default('test').describe('The stage whose test-runner results (this run against the last successful one) feed the tests, coverage and flaky-tests factors.'),
  'failure-window': z.number().int().min(1).max(200).default(20).describe('How many recent deployments of the environment the change failure rate is computed over.'),
})
export type AssessConfig = z.output<typeof assessConfigSchema>
