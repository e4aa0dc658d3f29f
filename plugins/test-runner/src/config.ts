import { relativePathSchema, z } from '@pipewright/plugin-api'

const commandSchema = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .describe('A shell command string, or an argv list run without a shell.')

const rerunSchema = z.number().int().min(0).max(10).default(0).describe('Re-run failing tests up to this many times; a test that then passes is flaky.')

const failOnFailuresSchema = z
  .boolean()
  .default(true)
  .describe('Fail the stage when tests still fail after reruns. Set false to let a test-runner/results gate decide (gates run only after a stage succeeds).')

const reportPaths = z.union([relativePathSchema, z.array(relativePathSchema).min(1)])

const globList = z.array(z.string().min(1))
const scopeFields = {
  include: globList.optional().describe('Globs (relative to the working directory) of the files whose coverage counts; default: every file the report lists.'),
  exclude: globList
    .optional()
    .describe('Globs of files left out of the coverage figures. test-runner/node: default the list c8 and nyc use (test files, test/ directories, tool configs); other stage types: default none (the runner already chose its sources). node_modules never counts.'),
}

/** `with:` of `test-runner/run`: any command that writes JUnit XML. */
export const runConfigSchema = z.strictObject({
  command: commandSchema,
  junit: reportPaths.describe('JUnit XML file(s) the command writes; globs such as target/surefire-reports/TEST-*.xml are allowed.'),
  coverage: z
    .union([
      relativePathSchema,
      z.strictObject({
        file: relativePathSchema,
        format: z.enum(['istanbul', 'lcov', 'cobertura']).optional().describe('Detected from the file name or content when omitted.'),
        ...scopeFields,
      }),
    ])
    .optional()
    .describe('Coverage report: istanbul coverage-summary.json, lcov.info or Cobertura XML; `include`/`exclude` choose the files that count.'),
  'rerun-failed': rerunSchema,
  'fail-on-failures': failOnFailuresSchema,
})
export type RunConfig = z.output<typeof runConfigSchema>

/** `with:` of the presets `test-runner/vitest`, `test-runner/jest`, `test-runner/node`. */
export const presetConfigSchema = z.strictObject({
  command: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .optional()
    .describe('How to start the runner (split on spaces, no shell), e.g. "pnpm exec vitest"; default: the binary installed in the project.'),
  args: z.array(z.string()).default([]).describe('Extra arguments (files, filters, flags) after the reporter flags.'),
  coverage: z
    .union([z.boolean(), z.strictObject(scopeFields)])
    .default(false)
    .describe('Collect coverage and report its percentages: true, or { include, exclude } to choose the files that count.'),
  'rerun-failed': rerunSchema,
  'fail-on-failures': failOnFailuresSchema,
  'reports-dir': relativePathSchema.optional().describe('Where the runner writes its reports; default .pipewright/test-runner/<stage>.'),
})
export type PresetConfig = z.output<typeof presetConfigSchema>

const percentSchema = z.number().min(0).max(100)

/** `with:` of the gate `test-runner/results`. */
export const resultsGateSchema = z.strictObject({
  'max-failures': z.number().int().min(0).default(0).describe('Failing tests allowed.'),
  'max-flaky': z.number().int().min(0).optional().describe('Flaky tests allowed (default: any number).'),
  'no-new-failures': z.boolean().default(false).describe('Fail on any test failing now that did not fail in the last successful run on this branch.'),
})
export type ResultsGateConfig = z.output<typeof resultsGateSchema>

/** `with:` of the gate `test-runner/coverage`. */
export const coverageGateSchema = z
  .strictObject({
    lines: percentSchema.optional().describe('Minimum line coverage, percent.'),
    branches: percentSchema.optional().describe('Minimum branch coverage, percent.'),
    functions: percentSchema.optional().describe('Minimum function coverage, percent.'),
    statements: percentSchema.optional().describe('Minimum statement coverage, percent.'),
    'max-drop': z.number().min(0).max(100).optional().describe('Largest fall, in percentage points, of any figure since the last successful run on this branch.'),
  })
  .refine((c) => Object.values(c).some((v) => v !== undefined), { message: 'Set at least one of lines, branches, functions, statements or max-drop' })
export type CoverageGateConfig = z.output<typeof coverageGateSchema>
