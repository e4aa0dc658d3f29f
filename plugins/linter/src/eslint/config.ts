import { relativePathSchema, z } from '@pipewright/plugin-api'

/** `with:` of `linter/eslint`. */
export const eslintConfigSchema = z.strictObject({
  paths: z
    .union([relativePathSchema, z.array(relativePathSchema).min(1)])
    .default(['.'])
    .transform((p) => (typeof p === 'string' ? [p] : p))
    .describe('Files, directories or globs to lint, relative to the workspace (default `.`).'),
  config: relativePathSchema.optional().describe('An eslint config file (`--config`); default: eslint looks up eslint.config.* from the workspace.'),
  fix: z.boolean().default(false).describe('Apply eslint fixes to the files (`--fix`); remaining problems are reported.'),
  args: z.array(z.string()).default([]).describe('Extra eslint arguments, e.g. ["--cache"].'),
})

export type EslintConfig = z.output<typeof eslintConfigSchema>
