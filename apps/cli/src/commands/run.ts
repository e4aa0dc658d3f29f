import { markInterruptedRuns, type Engine, type RunHandle, type RunOptions, type RunResult } from '@pipewright/core'
import { PipewrightError } from '@pipewright/plugin-api'
import type { Command } from 'commander'
import { dirname, resolve } from 'node:path'
import { resolveHome } from '@pipewright/store-sqlite'
import { closeQuietly, identityOf, openEngine, openStore, resolvePipelineFile, workerQueue, type CommandContext, type WorkerQueue } from '../context.js'
import { onInterrupt } from '../interrupt.js'
import { colorsFor, isInteractive, println } from '../io.js'
import { collect, parsePositiveInt, parseSizeOption, parseVars, progressIntervalFromEnv } from '../options.js'
import { createLiveRenderer } from '../render/live-renderer.js'
import { createPlainRenderer } from '../render/plain-renderer.js'
import type { RunRenderer } from '../render/renderer.js'
import { printRunSummary } from '../render/run-summary.js'
import { action, type CliRuntime } from './action.js'
import { findRun } from './find-run.js'
import { EXAMPLE_RUN_ID } from '../examples.js'

interface RunFlags {
  file?: string
  json?: boolean
  resume?: string
  rerunNonIdempotent?: boolean
  only?: string[]
  from?: string
  cache: boolean
  concurrency?: string
  var?: string[]
  secretFile?: string
  logLimit?: string
  as?: string
  wait?: boolean
  queue?: string
  redis?: string
}

const EXIT_BY_STATUS: Record<RunResult['status'], number> = { succeeded: 0, failed: 1, cancelled: 130 }

/** The `--json` document: stable, and nothing but this goes to stdout. */
export function runResultJson(result: RunResult) {
  return {
    id: result.id,
    pipeline: result.pipeline,
    status: result.status,
    durationMs: result.durationMs,
    stages: result.stages.map((s) => ({
      id: s.id,
      status: s.status,
      attempts: s.attempts,
      exitCode: s.exitCode,
      durationMs: s.durationMs,
      outputs: s.outputs,
      // Why it failed (exit code, timeout, gate reason) and what it reported: failing tests, counts.
      ...(s.error ? { error: s.error } : {}),
      ...(s.summary ? { summary: s.summary } : {}),
    })),
  }
}

function chooseRenderer(ctx: CommandContext, engine: Engine, json: boolean): RunRenderer {
  const plain = { progressIntervalMs: progressIntervalFromEnv(ctx.io.env) }
  if (json) return createPlainRenderer(ctx.io.stderr, colorsFor(ctx.io, ctx.io.stderr), plain)
  // A terminal that reports no size (some pseudo-terminals) would get empty frames: plain lines instead.
  if (isInteractive(ctx.io) && (ctx.io.stdout.columns ?? 0) > 0) return createLiveRenderer(ctx.io.stdout, ctx.c, async (runId) => (await engine.runs.get(runId))?.plan.stages)
  return createPlainRenderer(ctx.io.stdout, ctx.c, plain)
}

/** How a run is started once the engine is ready: a new run, a resume, a deployment run. */
export type StartRun = (engine: Engine, options: RunOptions) => Promise<RunHandle>

/**
 * Runs (or resumes) with the progress view, Ctrl-C handling and the summary every run command
 * shares; returns the exit code. The engine deploys through the home's agent.
 */
export async function executeRun(ctx: CommandContext, setup: { pipelineDir: string | undefined; json: boolean; logLimit?: string; options: RunOptions; workers?: WorkerQueue }, start: StartRun): Promise<number> {
  const { store, home } = await openStore(ctx, setup.pipelineDir)
  let engine: Engine | undefined
  try {
    engine = await openEngine(ctx, store, setup.pipelineDir ?? ctx.io.cwd, { home, ...(setup.workers ? { workers: setup.workers } : {}), ...(setup.logLimit ? { logLimitBytes: parseSizeOption('--log-limit', setup.logLimit) } : {}) })
    const renderer = chooseRenderer(ctx, engine, setup.json)
    renderer.attach(engine)

    // Ctrl-C may come while the engine is still preparing: the signal covers that window.
    const controller = new AbortController()
    let handle: RunHandle | undefined
    const stopListening = onInterrupt(() => {
      renderer.note(ctx.c.yellow('cancelling… (press Ctrl-C again to exit now)'))
      if (handle) handle.cancel('interrupted')
      else controller.abort()
    })
    let result: RunResult | undefined
    try {
      handle = await start(engine, { ...setup.options, signal: controller.signal, trigger: 'cli' })
      if (controller.signal.aborted) handle.cancel('interrupted')
      result = await handle.result
    } finally {
      stopListening()
      renderer.stop(result)
    }

    if (setup.json) println(ctx.io.stdout, JSON.stringify(runResultJson(result), null, 2))
    else printRunSummary(ctx.io.stdout, ctx.c, result)
    return EXIT_BY_STATUS[result.status] ?? 1
  } catch (error) {
    if (setup.json && error instanceof PipewrightError) println(ctx.io.stdout, JSON.stringify({ error: error.toJSON() }, null, 2))
    throw error
  } finally {
    await closeQuietly(engine, store)
  }
}

async function runPipeline(ctx: CommandContext, flags: RunFlags): Promise<number> {
  if (flags.resume && (flags.only || flags.from)) {
    throw new PipewrightError('PW_ERR_USAGE', '--only and --from cannot be combined with --resume', {
      details: 'A resumed run keeps its original plan; start a new run to choose stages.',
    })
  }
  const vars = parseVars(flags.var)
  const concurrency = parsePositiveInt('--concurrency', flags.concurrency)
  const file = flags.resume && !flags.file ? undefined : await resolvePipelineFile(ctx, flags.file)
  const pipelineDir = file ? dirname(file) : undefined
  const triggeredBy = flags.resume ? undefined : await identityOf(ctx, flags.as, false)
  const workers = await workerQueue(ctx, flags)
  const options: RunOptions = {
    noCache: flags.cache === false,
    concurrency,
    vars,
    secretFile: flags.secretFile ? resolve(ctx.io.cwd, flags.secretFile) : undefined,
    ...(flags.wait === false ? { noWait: true } : {}),
    ...(triggeredBy ? { triggeredBy } : {}),
  }
  return executeRun(ctx, { pipelineDir, json: flags.json === true, ...(flags.logLimit ? { logLimit: flags.logLimit } : {}), ...(workers ? { workers } : {}), options }, async (engine, runOptions) => {
    if (flags.resume) {
      const home = resolveHome({ home: ctx.globals.home, env: ctx.io.env, pipelineDir: pipelineDir ?? ctx.io.cwd })
      await markInterruptedRuns(engine.store, Date.now(), (runId, pids) =>
        println(ctx.io.stdout, ctx.c.yellow(`stopped ${pids.length} process${pids.length === 1 ? '' : 'es'} left running by run ${runId} (pid ${pids.join(', ')})`)),
      )
      return engine.resume((await findRun(engine.runs, flags.resume, home)).id, { ...runOptions, rerunNonIdempotent: flags.rerunNonIdempotent === true })
    }
    return engine.run(file as string, { ...runOptions, only: flags.only, from: flags.from })
  })
}

export function registerRun(program: Command, rt: CliRuntime): void {
  program
    .command('run')
    .description('Run the pipeline (or resume an interrupted run) and show its progress')
    .option('-f, --file <file>', 'pipeline file (default: pipewright.yml found from the current directory)')
    .option('--json', 'print one JSON document with the result at the end, and nothing else on stdout')
    .option('--resume <run>', 'continue an interrupted, failed or cancelled run (id or unique prefix); finished stages are not run again')
    .option('--rerun-non-idempotent', 'with --resume: run again stages marked idempotent: false that were interrupted mid-way')
    .option('--only <stage>', 'run only this stage (repeatable); the stages it needs are not run, their outputs come from their last success', collect)
    .option('--from <stage>', 'run this stage and everything that depends on it; earlier stages as with --only')
    .option('--no-cache', 'run every stage even if an earlier run has a matching cache entry')
    .option('--concurrency <n>', 'run at most n stages at once')
    .option('--var <name=value>', 'set ${{ vars.name }} (repeatable)', collect)
    .option('--secret-file <file>', 'read secrets from a NAME=value (dotenv) file')
    .option('--log-limit <size>', 'log kept in the store per stage, e.g. 64MiB (default 16MiB; the live output is never cut)')
    .option('--as <name>', 'who triggers the run, recorded on it (default: the git user); approvers must be someone else unless an environment allows self-approval')
    .option('--no-wait', 'a deploy inside an environment\'s freeze window fails instead of waiting for the window to end')
    .option('--queue <name>', 'send run: stages to `pipewright worker` processes on this queue (needs --store postgres://…); runs-on: labels pick the workers')
    .option('--redis <url>', 'Redis of the --queue (default: $PIPEWRIGHT_REDIS, else redis://127.0.0.1:6379)')
    .addHelpText(
      'after',
      `
Secrets also come from PIPEWRIGHT_SECRET_<NAME> environment variables; their values are
replaced by *** in every log line, also in base64 and URL-encoded form.

Exit codes: 0 succeeded, 1 failed, 2 invalid pipeline or usage, 130 cancelled (Ctrl-C).
Ctrl-C cancels running stages; press it again to exit at once, then resume later.

Examples:
  $ pipewright run
  $ pipewright run -f ci/pipewright.yml --only test --only lint
  $ pipewright run --from deploy --var version=1.4.0 --secret-file .env.secrets
  $ pipewright run --json > result.json
  $ pipewright run --as alice --no-wait
  $ pipewright --store postgres://ci@db:5432/pipewright run --queue default   (stages on workers)
  $ pipewright run --resume ${EXAMPLE_RUN_ID}`,
    )
    .action(action(rt, (ctx, flags: RunFlags) => runPipeline(ctx, flags)))
}
