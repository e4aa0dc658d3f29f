import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { PipewrightError } from '@pipewright/plugin-api'
import type { PresetConfig } from '../config.js'
import type { CoverageScope } from '../coverage-formats/scope.js'
import { resolvePackageBin } from './resolve-bin.js'

/** What every preset needs to know about the stage. */
export interface PresetContext {
  workspace: string
  stageId: string
  config: PresetConfig
}

/** Absolute directory for one attempt's reports, created (node:test will not create it). */
export async function attemptDir(ctx: PresetContext, attempt: number): Promise<string> {
  const base = ctx.config['reports-dir'] ?? join('.pipewright', 'test-runner', ctx.stageId.replace(/[^A-Za-z0-9_.-]+/g, '_'))
  const dir = resolve(ctx.workspace, base, `attempt-${attempt}`)
  await mkdir(dir, { recursive: true })
  return dir
}

/** The user's `command` split into argv, or node + the runner's installed binary. */
export async function runnerCommand(ctx: PresetContext, pkg: string, bin: string): Promise<string[]> {
  const { command } = ctx.config
  if (command !== undefined) return Array.isArray(command) ? command : command.trim().split(/\s+/)
  const entry = await resolvePackageBin(pkg, bin, ctx.workspace)
  if (entry === undefined) {
    throw new PipewrightError('PW_ERR_STAGE_FAILED', `Stage ${ctx.stageId}: ${pkg} is not installed in ${ctx.workspace} or any parent directory`, {
      details: `Install it in the project (npm install -D ${pkg}) or set \`with.command\` to how it is started, e.g. "npx ${bin}".`,
    })
  }
  return [process.execPath, entry]
}

/**
 * Arguments for a rerun: the user's options, with their values, are kept; their file filters are
 * replaced by the failing files, appended at the end.
 */
export function rerunArgs(args: string[], files: string[] | undefined): string[] {
  return files === undefined ? args : [...withoutFileFilters(args), ...files]
}

/**
 * `args` without its file filters. A filter is a positional argument: one that is not a flag and
 * does not directly follow a flag written without `=`. A flag's list of values is not known here
 * (`--project unit` vs. `--bail test/a.test.js`), so an argument after a bare flag is taken for
 * its value and kept: keeping a filter only widens a rerun, dropping a value would change it.
 * After `--` every argument is positional.
 */
export function withoutFileFilters(args: string[]): string[] {
  const kept: string[] = []
  let positionalOnly = false
  for (const [i, arg] of args.entries()) {
    const previous = args[i - 1]
    const isFlag = !positionalOnly && arg.startsWith('-') && arg !== '-'
    const isValue = !positionalOnly && previous !== undefined && previous !== '--' && previous !== '-' && previous.startsWith('-') && !previous.includes('=') && !isFlag
    if (arg === '--' && !positionalOnly) positionalOnly = true
    if (isFlag || isValue) kept.push(arg)
  }
  return kept
}

/** The `include`/`exclude` of `coverage: { … }`, or nothing for `coverage: true|false`. */
export function coverageOptions(config: PresetConfig): { include?: string[]; exclude?: string[] } {
  return typeof config.coverage === 'object' ? config.coverage : {}
}

/** Which files count, for runners that choose their sources themselves (vitest, jest). */
export function runnerScope(config: PresetConfig, runner: string): CoverageScope {
  const { include, exclude } = coverageOptions(config)
  return { exclude: exclude ?? [], ...(include ? { include } : {}), chosenBy: `${runner} (its coverage settings: test files are never counted)` }
}
