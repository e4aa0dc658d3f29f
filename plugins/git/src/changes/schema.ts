import { relativePathSchema, z } from '@pipewright/plugin-api'
import { gitArgSchema } from '../schema-common.js'

/** Output names the stage sets itself; a filter may not take them. */
export const RESERVED_CHANGE_OUTPUTS = ['files', 'base', 'head', 'changed'] as const

const filterName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, { message: 'Filter names are output names: letters, digits, _ and -, starting with a letter or _' })
  .refine((name) => !(RESERVED_CHANGE_OUTPUTS as readonly string[]).includes(name), {
    message: `Reserved output name (${RESERVED_CHANGE_OUTPUTS.join(', ')})`,
  })

/** `with:` of `git/changes`. */
export const changesConfigSchema = z.strictObject({
  /** Commit, branch or tag to compare from; default: the head of this stage's last successful run, else the merge base with the default branch. */
  base: gitArgSchema.optional(),
  /** Commit to compare to; default HEAD. */
  head: gitArgSchema.default('HEAD'),
  /** Named path filters: each output `<name>` is `true` when a changed file matches one of its globs. */
  filters: z.record(filterName, z.union([z.string().min(1), z.array(z.string().min(1)).min(1)])).default({}),
  /** The repository's directory inside the workspace. */
  path: relativePathSchema.default('.'),
  /** Branch whose merge base is the fallback base; default origin's HEAD, else main or master. */
  'default-branch': gitArgSchema.optional(),
})

export type ChangesConfig = z.output<typeof changesConfigSchema>
