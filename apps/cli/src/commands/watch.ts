import type { Engine, RunHandle } from '@pipewright/core'
import { PipewrightError } from '@pipewright/plugin-api'
import type { Command } from 'commander'
import { execFile } from 'node:child_process'
import { dirname } from 'node:path'
import { promisify } from 'node:util'
import { closeQuietly, openEngine, openStore, resolvePipelineFile, type CommandContext } from '../context.js'
import { onInterrupt } from '../interrupt.js'
import { println } from '../io.js'
import { parseDurationOption, progressIntervalFromEnv } from '../options.js'
import { createPlainRenderer } from '../render/plain-renderer.js'
import { printRunSummary } from '../render/run-summary.js'
import { action, type CliRuntime } from './action.js'

/** The contract of `watchPipeline` in @pipewright/plugin-git (imported at run time). */
type WatchPipeline = (options: {
  repoDir: string
  branch: string
  intervalMs: number
  state: { get(key: string): Promise<unknown>; set(key: string, value: unknown): Promise<void> }
  runCommit: (sha: string) => Promise<{ status: string }>
  signal: AbortSignal
  log: (line: string) => void
  /** Part of the position's state key: pipelines watching the same branch keep separate positions. */
  key?: string
}) => Promise<void>

interface WatchFlags {
  file?: string
  interval: string
  branch?: string
}

async function currentBranch(dir: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: dir })
    const branch = stdout.trim()
    if (branch && branch !== 'HEAD') return branch
  } catch {
    // fall through: not a repository, or git missing
  }
  throw new PipewrightError('PW_ERR_USAGE', `Cannot tell which branch to watch in ${dir}`, {
    details: 'Run watch inside a git repository on a branch, or pass --branch <name>.',
  })
}

async function loadWatchPipeline(): Promise<WatchPipeline> {
  const name = '@pipewright/plugin-git'
  const mod = (await import(name)) as { watchPipeline?: unknown }
  if (typeof mod.watchPipeline !== 'function') {
    throw new PipewrightError('PW_ERR_PLUGIN_INVALID', `${name} does not export watchPipeline`, {
      details: 'Install a version of @pipewright/plugin-git that provides watchPipeline.',
    })
  }
  return mod.watchPipeline as WatchPipeline
}

async function watch(ctx: CommandContext, flags: WatchFlags): Promise<number> {
  const intervalMs = parseDurationOption('--interval', flags.interval)
  const file = await resolvePipelineFile(ctx, flags.file)
  const dir = dirname(file)
  const branch = flags.branch ?? (await currentBranch(dir))
  const watchPipeline = await loadWatchPipeline()
  const { store } = await openStore(ctx, dir)
  let engine: Engine | undefined
  const controller = new AbortController()
  let current: RunHandle | undefined
  const stopListening = onInterrupt(() => {
    println(ctx.io.stdout, ctx.c.yellow('stopping watch… (press Ctrl-C again to exit now)'))
    controller.abort()
    current?.cancel('watch stopped')
  })
  try {
    const eng = (engine = await openEngine(ctx, store, dir))
    // Runs still load the file for each commit (it may change); the name only keys the position.
    const { spec } = await eng.load(file)
    createPlainRenderer(ctx.io.stdout, ctx.c, { progressIntervalMs: progressIntervalFromEnv(ctx.io.env) }).attach(eng)
    println(ctx.io.stdout, ctx.c.dim(`watching ${branch} in ${dir} every ${flags.interval} (Ctrl-C to stop)`))
    await watchPipeline({
      repoDir: dir,
      branch,
      intervalMs,
      state: { get: (key) => store.getState(key), set: (key, value) => store.setState(key, value) },
      runCommit: async (sha) => {
        println(ctx.io.stdout, ctx.c.bold(`new commit ${sha.slice(0, 12)} on ${branch}`))
        current = await eng.run(file, { trigger: 'watch', signal: controller.signal, commit: { sha, branch } })
        const result = await current.result
        current = undefined
        printRunSummary(ctx.io.stdout, ctx.c, result)
        return { status: result.status }
      },
      signal: controller.signal,
      log: (line) => println(ctx.io.stdout, ctx.c.dim(line)),
      key: spec.name,
    })
    return controller.signal.aborted ? 130 : 0
  } finally {
    stopListening()
    await closeQuietly(engine, store)
  }
}

export function registerWatch(program: Command, rt: CliRuntime): void {
  program
    .command('watch')
    .description('Poll a git branch and run the pipeline for each new commit')
    .option('-f, --file <file>', 'pipeline file (default: pipewright.yml found from the current directory)')
    .option('--interval <duration>', 'how often to look for new commits', '30s')
    .option('--branch <name>', 'branch to watch (default: the current branch)')
    .addHelpText(
      'after',
      `
Each run is for one commit: \${{ git.sha }} is that commit, so a pipeline that starts with
  uses: git/checkout  with: { repo: \${{ git.root }}, ref: \${{ git.sha }}, path: src }
builds exactly the commit it was started for, even when several arrived at once.
The last commit seen is kept in the store per pipeline name and branch, so a restarted watch
does not re-run it, and pipelines watching the same branch do not skip each other's commits.
Ctrl-C stops watching (and cancels a run in progress).

Examples:
  $ pipewright watch
  $ pipewright watch --branch main --interval 1m`,
    )
    .action(action(rt, (ctx, flags: WatchFlags) => watch(ctx, flags)))
}
