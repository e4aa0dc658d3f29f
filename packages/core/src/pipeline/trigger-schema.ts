import { z } from '@pipewright/plugin-api'
import { cronProblem } from './cron.js'

const globs = (what: string) => z.array(z.string().min(1)).min(1).describe(what)

/** `on:`: which webhook events and schedules start the pipeline on `pipewright serve`. */
export const triggerSchema = z
  .strictObject({
    branches: globs('Pushes to these branches start a run (globs: `main`, `release/*`).').optional(),
    tags: globs('Pushed tags matching these globs start a run (`v*`).').optional(),
    paths: globs('Only pushes that change a file matching one of these globs (`src/**`) start a run; pull requests are not filtered by path.').optional(),
    'pull-requests': globs('Pull/merge requests opened or updated against these target branches start a run for their head commit.').optional(),
    schedule: z
      .array(
        z.string().superRefine((expression, ctx) => {
          const problem = cronProblem(expression)
          if (problem) ctx.addIssue({ code: 'custom', message: problem })
        }),
      )
      .min(1)
      .optional()
      .describe('Cron expressions (5 fields, UTC): the server starts a run at each; a restart neither loses nor doubles one.'),
  })
  .describe('What starts the pipeline on the server: webhook pushes (branches, tags, paths), pull requests, schedules.')

export type TriggerSpec = z.output<typeof triggerSchema>
