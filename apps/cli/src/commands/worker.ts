import type { Command } from 'commander'
import { PipewrightError } from '@pipewright/plugin-api'
import { openStore, storeUrl, type CommandContext } from '../context.js'
import { onInterrupt } from '../interrupt.js'
import { println } from '../io.js'
import { parsePositiveInt } from '../options.js'
import { action, type CliRuntime } from './action.js'

interface WorkerFlags {
  queue: string
  concurrency?: string
  labels?: string
  redis?: string
  dir?: string
}

const LABEL = /^[a-z0-9][a-z0-9_.-]{0,31}$/

/** `--labels linux,docker` → sorted, checked labels (at most 6: a worker listens on a queue per subset). */
export function parseLabels(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return []
  const labels = [...new Set(value.split(',').map((l) => l.trim()).filter(Boolean))].sort()
  const bad = labels.filter((l) => !LABEL.test(l))
  if (bad.length > 0) throw new PipewrightError('PW_ERR_USAGE', `--labels: ${bad.map((l) => JSON.stringify(l)).join(', ')} ${bad.length === 1 ? 'is not a label' : 'are not labels'}`, { details: 'Labels are lowercase letters, digits, _ . - (up to 32 each), separated by commas: --labels linux,docker.' })
  if (labels.length > 6) throw new PipewrightError('PW_ERR_USAGE', `--labels: ${labels.length} labels, at most 6`, { details: 'Give a worker the labels stages ask for in runs-on:, at most 6.' })
  return labels
}

async function runWorker(ctx: CommandContext, flags: WorkerFlags): Promise<number> {
  const { resolveRedisUrl, redactRedisUrl, startStageWorker, validQueueName } = await import('@pipewright/executor-bullmq')
  if (!validQueueName(flags.queue)) throw new PipewrightError('PW_ERR_USAGE', `--queue ${flags.queue} is not a queue name`, { details: 'Use letters, digits, _ . - (up to 64), e.g. --queue default.' })
  const labels = parseLabels(flags.labels)
  const concurrency = parsePositiveInt('--concurrency', flags.concurrency) ?? 1
  if (storeUrl(ctx) === undefined) {
    throw new PipewrightError('PW_ERR_USAGE', 'A worker needs the shared store of its coordinators', { details: 'Pass --store postgres://… (or set PIPEWRIGHT_STORE): the same store the runs use.' })
  }
  const redisUrl = resolveRedisUrl(flags.redis, ctx.io.env)
  const { store } = await openStore(ctx, ctx.io.cwd)
  try {
    const worker = await startStageWorker({
      redisUrl, queue: flags.queue, labels, concurrency, ...(store.blobs ? { blobs: store.blobs } : {}), ...(flags.dir ? { dir: flags.dir } : {}),
      report: (line) => println(ctx.io.stdout, `${new Date().toISOString()} ${line}`),
    })
    println(ctx.io.stdout, `worker ${worker.id} on queue ${flags.queue} (${redactRedisUrl(redisUrl)}), labels: ${labels.length ? labels.join(', ') : 'none'}, concurrency ${concurrency}`)
    await new Promise<void>((resolve) => {
      const stop = onInterrupt(() => {
        stop()
        println(ctx.io.stdout, 'stopping: finishing the running stages (Ctrl-C again to exit now)')
        resolve()
      })
      process.once('SIGTERM', () => resolve())
    })
    await worker.close()
    return 0
  } finally {
    await store.close()
  }
}

export function registerWorker(program: Command, rt: CliRuntime): void {
  program
    .command('worker')
    .description('Run stages that `pipewright run --queue` sends, on this host, until stopped')
    .option('--queue <name>', 'queue to take stages from', 'default')
    .option('--concurrency <n>', 'stages to run at once (default 1)')
    .option('--labels <list>', 'labels this worker has, comma-separated: it takes stages whose runs-on: it covers, e.g. linux,docker')
    .option('--redis <url>', 'Redis of the queue (default: $PIPEWRIGHT_REDIS, else redis://127.0.0.1:6379)')
    .option('--dir <dir>', 'where checkouts and scratch files go (default: a temp directory)')
    .addHelpText(
      'after',
      `
A worker needs the same --store postgres://… as the runs (needs' artifacts and the stage's
artifacts go through it) and reaches the run's repository to check out its commit. Each stage's
output streams back to the run as it happens; secrets are masked there like local output.
A worker killed mid-stage is detected within seconds and the stage runs again on another worker,
unless it is idempotent: false (the run then stops with PW_ERR_WORKER_LOST).

Examples:
  $ pipewright --store postgres://ci@db:5432/pipewright worker
  $ PIPEWRIGHT_STORE=postgres://ci@db/pipewright pipewright worker --labels linux,docker --concurrency 4
  $ pipewright --store postgres://ci@db/pipewright run --queue default`,
    )
    .action(action(rt, (ctx, flags: WorkerFlags) => runWorker(ctx, flags)))
}
