import { z } from '@pipewright/plugin-api'

/** `with:` of the `linter/max-issues` gate. */
export const maxIssuesConfigSchema = z.strictObject({
  errors: z.number().int().min(0).default(0).describe('Most errors allowed (default 0).'),
  warnings: z.number().int().min(0).optional().describe('Most warnings allowed (default: unlimited).'),
  'new-only': z
    .boolean()
    .default(false)
    .describe('Count only problems absent from the last successful run (matched by file, rule and message, so moved lines are not new).'),
})

export type MaxIssuesConfig = z.output<typeof maxIssuesConfigSchema>
