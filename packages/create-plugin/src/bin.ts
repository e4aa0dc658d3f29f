#!/usr/bin/env node
import { relative } from 'node:path'
import { parseArgs } from 'node:util'
import { isPipewrightError } from '@pipewright/plugin-api'
import { generatePlugin } from './generate.js'

const USAGE = `Usage: create-pipewright-plugin <name> [--dir <path>]

  <name>        slack, pipewright-plugin-slack or @acme/pipewright-plugin-slack
  --dir <path>  package directory (default: ./<name without scope>)
`

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } } })
  if (values.help || positionals.length !== 1) {
    ;(values.help ? process.stdout : process.stderr).write(USAGE)
    return values.help ? 0 : 2
  }
  const result = await generatePlugin({ name: positionals[0]!, ...(values.dir ? { dir: values.dir } : {}) })
  const where = relative(process.cwd(), result.dir) || '.'
  process.stdout.write(
    `Created ${result.packageName} (plugin id "${result.pluginId}") in ${where}:\n` +
      result.files.map((f) => `  ${f}`).join('\n') +
      `\n\nNext:\n${[`cd ${where}`, ...result.nextSteps].map((step) => `  ${step}\n`).join('')}`,
  )
  return 0
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (isPipewrightError(error)) process.stderr.write(`${error.message}\n${error.details}\n`)
    else process.stderr.write(`${(error as Error).stack ?? String(error)}\n`)
    process.exit(isPipewrightError(error) ? error.exitCode : 1)
  },
)
