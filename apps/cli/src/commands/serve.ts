import { PipewrightError } from '@pipewright/plugin-api'
import type { Command } from 'commander'
import { dirname } from 'node:path'
import { closeQuietly, openEngine, openStore, resolvePipelineFile, workerQueue, type CommandContext } from '../context.js'
import { onInterrupt } from '../interrupt.js'
import { println } from '../io.js'
import { collect, parseDurationOption, parsePositiveInt } from '../options.js'
import { action, type CliRuntime } from './action.js'

interface ServeFlags {
  file?: string[]
  host: string
  port: string
  bodyLimit?: string
  queue?: string
  redis?: string
  watchLease?: string
}

const LOCAL_HOSTS = new Set(['127.0.0.1', '::1', 'localhost'])

async function serve(ctx: CommandContext, flags: ServeFlags): Promise<number> {
  const port = flags.port === '0' ? 0 : parsePositiveInt('--port', flags.port)!
  if (port > 65535) throw new PipewrightError('PW_ERR_USAGE', `--port ${flags.port} is not a TCP port`, { details: 'Use a port from 1 to 65535 (0: any free port).' })
  const leaseMs = flags.watchLease === undefined ? undefined : parseDurationOption('--watch-lease', flags.watchLease)
  const files = await Promise.all((flags.file?.length ? flags.file : [undefined]).map((f) => resolvePipelineFile(ctx, f)))
  const pipelineDir = dirname(files[0]!)
  const workers = await workerQueue(ctx, flags)
  const { store, home, where } = await openStore(ctx, pipelineDir)
  const engine = await openEngine(ctx, store, pipelineDir, { home, ...(workers ? { workers } : {}) })
  try {
    const { createServer } = await import('@pipewright/server')
    const secret = (forge: string) => ctx.io.env[`PIPEWRIGHT_WEBHOOK_SECRET_${forge.toUpperCase()}`] || ctx.io.env.PIPEWRIGHT_WEBHOOK_SECRET || undefined
    const webhookSecrets = Object.fromEntries(['github', 'gitlab', 'gitea'].flatMap((f) => (secret(f) ? [[f, secret(f)!]] : [])))
    const watches = { log: (line: string) => println(ctx.io.stdout, `${new Date().toISOString().slice(11, 19)} ${line}`), ...(leaseMs !== undefined ? { leaseMs } : {}) }
    const server = await createServer({ engine, pipelines: files, webhookSecrets, watches, ...(flags.bodyLimit ? { bodyLimit: parsePositiveInt('--body-limit', flags.bodyLimit)! } : {}) })
    const url = await server.listen({ host: flags.host, port })
    if (!LOCAL_HOSTS.has(flags.host)) println(ctx.io.stderr, ctx.c.yellow(`warning: listening on ${flags.host}, reachable from other machines; put TLS in front of it`))
    const stagesOn = workers ? `; run: stages on workers of queue ${workers.queue}` : ''
    println(ctx.io.stdout, `Pipewright server on ${url} (store ${where}; ${files.length} pipeline${files.length === 1 ? '' : 's'}${stagesOn})`)
    println(ctx.io.stdout, `API tokens: pipewright token create --name <you> --role viewer|operator|approver|admin`)
    await new Promise<void>((resolve) => {
      const stop = onInterrupt(() => {
        stop()
        resolve()
      })
    })
    println(ctx.io.stdout, 'stopping the server…')
    await server.close()
    return 0
  } finally {
    await closeQuietly(engine, store)
  }
}

export function registerServe(program: Command, rt: CliRuntime): void {
  program
    .command('serve')
    .description('Start the server: HTTP API, dashboard, webhooks, schedules and environment monitors for the given pipelines')
    .option('-f, --file <file>', 'pipeline file the server may run (repeatable; default: pipewright.yml found from the current directory)', collect)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', '8080')
    .option('--body-limit <bytes>', 'largest request body accepted; larger ones get 413 before they are read (default 1048576)')
    .option('--queue <name>', 'send run: stages to `pipewright worker` processes on this queue (needs --store postgres://…); runs-on: labels pick the workers')
    .option('--redis <url>', 'Redis of the --queue (default: $PIPEWRIGHT_REDIS, else redis://127.0.0.1:6379)')
    .option('--watch-lease <duration>', 'how long this server holds an environment\'s watch lease without renewing it (default 30s): after it dies, another server takes its watches over within this time')
    .addHelpText(
      'after',
      `
Every /api request needs a token: create one with
  $ pipewright token create --name alice --role approver
and send it as 'Authorization: Bearer <token>'. See docs/server.md.

Webhooks: POST /hooks/github, /hooks/gitlab, /hooks/gitea, verified with the secret in
PIPEWRIGHT_WEBHOOK_SECRET (or PIPEWRIGHT_WEBHOOK_SECRET_GITHUB|GITLAB|GITEA); a forge without a
secret is refused. Pipelines choose their events and schedules with a top-level \`on:\`.

Environments that declare \`monitors:\` are watched while the server runs (health history,
environment:unhealthy / :recovered through \`notify:\`, healing), each by one server of those
sharing the store: a lease per environment in the store, renewed every third of --watch-lease.

Examples:
  $ pipewright serve
  $ pipewright serve -f web/pipewright.yml -f api/pipewright.yml --port 9000
  $ pipewright --store postgres://ci@db:5432/pipewright serve --queue default   (stages on workers)`,
    )
    .action(action(rt, (ctx, flags: ServeFlags) => serve(ctx, flags)))
}
