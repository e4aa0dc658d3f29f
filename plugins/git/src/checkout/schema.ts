import { relativePathSchema, z } from '@pipewright/plugin-api'
import { credentialsSchema, gitArgSchema } from '../schema-common.js'

/** `with:` of `git/checkout`. */
export const checkoutConfigSchema = z.strictObject({
  /** Local path (relative to the pipeline's directory), `file://`, `http(s)://` or ssh URL. */
  repo: gitArgSchema,
  /** Branch, tag, full ref or commit sha; default the repository's default branch. */
  ref: gitArgSchema.optional(),
  /** Fetch only this many commits (a shallow checkout). */
  depth: z.number().int().positive().optional(),
  /** Also check out submodules, recursively. */
  submodules: z.boolean().default(false),
  /** Directory inside the workspace to check out into. */
  path: relativePathSchema.default('.'),
  /** Remove untracked files (not ignored ones) when reusing an existing checkout. */
  clean: z.boolean().default(true),
  credentials: credentialsSchema.optional(),
})

export type CheckoutConfig = z.output<typeof checkoutConfigSchema>
