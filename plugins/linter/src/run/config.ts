import { z } from '@pipewright/plugin-api'
import { commandSchema } from '../command.js'
import { checkMatcherPattern } from './matcher.js'

export const severitySchema = z.enum(['error', 'warning', 'note'])

/** `with:` of `linter/run`. */
export const runConfigSchema = z.strictObject({
  command: commandSchema.describe('The linter or compiler to run (shell string or argv list), in the workspace.'),
  pattern: z
    .string()
    .min(1)
    .superRefine((pattern, ctx) => {
      const problem = checkMatcherPattern(pattern)
      if (problem) ctx.addIssue({ code: 'custom', message: `Invalid problem matcher: ${problem}` })
    })
    .describe('A regular expression matched against each output line, with named groups file, line, column, severity, message (required), rule.'),
  'default-severity': severitySchema.default('error').describe('Severity of a match without a (recognised) `severity` group.'),
  stream: z.enum(['stdout', 'stderr', 'both']).default('both').describe('Which output the pattern reads.'),
  'fail-on-exit': z.boolean().default(false).describe('Fail the stage when the command exits non-zero (default false: a gate decides).'),
})

export type RunConfig = z.output<typeof runConfigSchema>
