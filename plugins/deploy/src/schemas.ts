import { relativePathSchema, z } from '@pipewright/plugin-api'

/** `target: { uses: deploy/process, with: {...} }`. */
export const ProcessTargetConfig = z.object({
  /** A string runs through `sh -c`; an array is the argv as is. It must listen on `$PORT` (127.0.0.1). */
  command: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  /** Working directory inside the release (the copy of the artifact directory); default its root. */
  cwd: relativePathSchema.optional(),
  /** Extra variables; `PORT` and the `PIPEWRIGHT_*` variables of the instance always win. */
  env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({}),
  /** The polite signal `stop` sends to the instance's process group before SIGKILL. */
  'stop-signal': z.enum(['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT']).default('SIGTERM'),
  /** An instance's log file is rotated (one `.1` kept) when it grows past this many bytes. */
  'log-max-bytes': z.number().int().min(1024).default(10 * 1024 * 1024),
})
export type ProcessTargetConfig = z.output<typeof ProcessTargetConfig>
