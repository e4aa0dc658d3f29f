import { relativePathSchema, z } from '@pipewright/plugin-api'
import { parseSize } from './size.js'

// An image reference: [registry[:port]/]name[/name...][:tag][@digest]. Docker re-checks it; this
// catches typos before anything runs.
const IMAGE_REF = /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/

export const imageRefSchema = z.string().regex(IMAGE_REF, { message: 'Must be an image reference like name:tag or 127.0.0.1:5000/team/app:1.0' })

/**
 * A list of tags, or the comma-separated string a build stage's `tags` output holds. The string
 * form is checked as a whole, so a `${{ }}` value is left to the run-time check.
 */
const tagListSchema = z.union([z.array(imageRefSchema), z.string()]).transform((value, ctx) => {
  if (Array.isArray(value)) return value
  const tags = value.split(',').map((t) => t.trim()).filter(Boolean)
  const invalid = tags.filter((t) => !IMAGE_REF.test(t))
  if (invalid.length > 0) {
    ctx.addIssue({ code: 'custom', message: `Not image references: ${invalid.join(', ')} (use name:tag, comma-separated)` })
    return z.NEVER
  }
  return tags
})

export const sizeSchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const bytes = parseSize(value)
  if (bytes === undefined) {
    ctx.addIssue({ code: 'custom', message: `Invalid size "${value}": use bytes or e.g. 256m, 50MB, 1.5GB` })
    return z.NEVER
  }
  return bytes
})

/** Plugin options (`plugins: [{ package: '@pipewright/plugin-docker', config: {...} }]`). */
export const DockerPluginConfig = z.object({
  /** Engine address; default `DOCKER_HOST` from the stage env, then the process env. */
  host: z.string().min(1).optional(),
  /** Pin the Engine API version instead of negotiating it. */
  apiVersion: z.string().regex(/^v?\d+\.\d+$/, { message: 'Must look like 1.41' }).optional(),
})
export type DockerPluginConfig = z.output<typeof DockerPluginConfig>

export const BuildConfig = z.object({
  context: relativePathSchema.default('.'),
  /** Relative to the context, as with `docker build -f`. */
  dockerfile: relativePathSchema.default('Dockerfile'),
  tags: z.array(imageRefSchema).min(1),
  'build-args': z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({}),
  target: z.string().min(1).optional(),
  labels: z.record(z.string(), z.string()).default({}),
  /** Pull newer base images first. Off by default: builds use local images only. */
  pull: z.boolean().default(false),
  /** `none` (default) isolates RUN steps; `host` lets them reach services on 127.0.0.1. */
  network: z.enum(['none', 'host']).default('none'),
  'no-cache': z.boolean().default(false),
})
export type BuildConfig = z.output<typeof BuildConfig>

export const PushConfig = z.object({
  /** Default: the `tags` the build stage named in `from` recorded. */
  tags: tagListSchema.optional(),
  /** Id of the docker/build stage whose tags to push when `tags` is not set. */
  from: z.string().min(1).default('build'),
  /** Push into this registry (`host[:port]`): tags without a registry are re-tagged under it. */
  registry: z.string().regex(/^[a-zA-Z0-9.-]+(?::\d+)?$/, { message: 'Must be host or host:port' }).optional(),
  credentials: z
    .object({
      username: z.string().min(1),
      /** Name of the secret holding the password or token (never the value itself). */
      'password-secret': z.string().min(1),
    })
    .optional(),
})
export type PushConfig = z.output<typeof PushConfig>

export const RunConfig = z.object({
  image: imageRefSchema,
  /** A string runs through `sh -c`; an array is the argv as is. */
  command: z.union([z.string().min(1), z.array(z.string()).min(1)]).optional(),
  env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({}),
  workdir: z.string().startsWith('/', { message: 'Must be an absolute path inside the container' }).optional(),
  /** Bind the stage workspace: `true` mounts it at /workspace, a string names the mount point. */
  'mount-workspace': z.union([z.boolean(), z.string().startsWith('/', { message: 'Must be an absolute path inside the container' })]).default(false),
  network: z.enum(['none', 'host']).default('none'),
  memory: sizeSchema.optional(),
  cpus: z.number().positive().max(1024).optional(),
  user: z.string().min(1).optional(),
})
export type RunConfig = z.output<typeof RunConfig>

export const ImageSizeConfig = z.object({
  max: sizeSchema,
  /** Default: the gated stage's `image-id` output. */
  image: z.string().min(1).optional(),
})
export type ImageSizeConfig = z.output<typeof ImageSizeConfig>

/** `target: { uses: docker/container, with: {...} }`: each instance a container on the host network. */
export const ContainerTargetConfig = z.object({
  /** Override the image's command: a string runs through `sh -c`; an array is the argv as is. It must listen on `$PORT` (127.0.0.1). */
  command: z.union([z.string().min(1), z.array(z.string()).min(1)]).optional(),
  /** Extra variables; `PORT` and the `PIPEWRIGHT_*` variables of the instance always win. */
  env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({}),
  user: z.string().min(1).optional(),
  memory: sizeSchema.optional(),
  cpus: z.number().positive().max(1024).optional(),
})
export type ContainerTargetConfig = z.output<typeof ContainerTargetConfig>
