import { durationSchema, z } from '@pipewright/plugin-api'

/** `with:` of `monitoring/process`. */
export const ProcessMonitorConfig = z.strictObject({
  environment: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'An environment name: lower case letters, digits and -').describe('The deployed environment whose instances are watched.'),
  interval: durationSchema.pipe(z.number().min(100, 'At least 100ms')).default(5_000).describe('Time between two looks.'),
  'min-running': z.number().int().min(0).optional().describe('Healthy only with at least this many running instances (default: every instance listed).'),
  'max-restarts': z.number().int().min(0).default(0).describe('Restarts tolerated since the monitor started (the agent restarts crashed instances); one more is unhealthy.'),
})
export type ProcessMonitorConfig = z.output<typeof ProcessMonitorConfig>
