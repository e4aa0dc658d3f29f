import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { PipewrightError } from '@pipewright/plugin-api'
import type { PresetConfig } from '../config.js'
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

/** Arguments for a rerun: the user's flags are kept, their file filters replaced by the failing files. */
export function rerunArgs(args: string[], files: string[] | undefined): string[] {
  return files === undefined ? args : [...args.filter((a) => a.startsWith('-')), ...files]
}
