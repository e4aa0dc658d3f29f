import { relativePathSchema, z } from '@pipewright/plugin-api'
import { commandSchema } from '../command.js'

/** `with:` of `linter/sarif`. */
export const sarifConfigSchema = z.strictObject({
  file: relativePathSchema.describe('The SARIF 2.1.0 file to read, relative to the workspace.'),
  command: commandSchema.optional().describe('A command that writes the file first (shell string or argv list).'),
  'fail-on-exit': z.boolean().default(false).describe("Fail the stage when `command` exits non-zero (default false: a gate decides)."),
})

export type SarifConfig = z.output<typeof sarifConfigSchema>
