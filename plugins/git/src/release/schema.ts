import { relativePathSchema, z } from '@pipewright/plugin-api'
import semver from 'semver'
import { credentialsSchema, gitArgSchema } from '../schema-common.js'

/** `with:` of `git/release`. */
export const releaseConfigSchema = z.strictObject({
  /** The repository's directory inside the workspace. */
  path: relativePathSchema.default('.'),
  /** Monorepo package directory (relative to the repository): only its commits count, tags are `<name>@x.y.z`. */
  package: relativePathSchema.optional(),
  /** Prefix of version tags; default `v`, or `<package dir name>@` with `package`. */
  'tag-prefix': z
    .string()
    .regex(/^[^\s~^:?*[\\]*$/, { message: 'Must be usable in a tag name: no whitespace or ~ ^ : ? * [ \\' })
    .refine((v) => !v.startsWith('-'), { message: 'Must not start with "-"' })
    .optional(),
  /** Version of the first release, when no version tag exists yet. */
  'initial-version': z
    .string()
    .refine((v) => semver.valid(v) === v, { message: 'Must be a semantic version like 0.1.0' })
    .default('0.1.0'),
  /** Markdown file (relative to the repository) the new changelog section is prepended to. */
  'changelog-file': relativePathSchema.optional(),
  /** Push the new tag to `remote`. */
  push: z.boolean().default(false),
  remote: gitArgSchema.default('origin'),
  credentials: credentialsSchema.optional(),
  /** Who signs the annotated tag; default git's configured user, else `Pipewright <pipewright@localhost>`. */
  tagger: z.strictObject({ name: z.string().min(1), email: z.string().min(1) }).optional(),
})

export type ReleaseConfig = z.output<typeof releaseConfigSchema>
