import { DEPLOYER, findPipelineFile, resolveIdentity, type Deployer, type Engine, type Store, type EngineOptions } from '@pipewright/core'
import { PipewrightError } from '@pipewright/plugin-api'
import { createSqliteStore, DATABASE_FILE, resolveHome } from '@pipewright/store-sqlite'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { createEngineLogger } from './engine-logger.js'
import { lazyFirstPartyPlugins } from './first-party.js'
import { colorsFor, displayStream, type CliIo, type Colors } from './io.js'

/** Options every command accepts (declared on the program). */
export interface GlobalOptions {
  home?: string
  /** `--store postgres://…`: a shared PostgreSQL store instead of the SQLite one under the home. */
  store?: string
  debug?: boolean
}

/** What a command action receives besides its own arguments. */
export interface CommandContext {
  io: CliIo
  c: Colors
  globals: GlobalOptions
}

export function commandContext(io: CliIo, globals: GlobalOptions): CommandContext {
  const shown: CliIo = { ...io, stdout: displayStream(io, io.stdout), stderr: displayStream(io, io.stderr) }
  return { io: shown, c: colorsFor(io), globals }
}

/** The pipeline file: `-f` (must exist), else the one found from the working directory. */
export async function resolvePipelineFile(ctx: CommandContext, file: string | undefined): Promise<string> {
  if (file !== undefined) {
    const abs = resolve(ctx.io.cwd, file)
    if (!existsSync(abs)) {
      throw new PipewrightError('PW_ERR_PIPELINE_NOT_FOUND', `Pipeline file ${file} does not exist`, {
        details: 'Check the path given to -f, or run `pipewright init` to write a starter pipewright.yml.',
      })
    }
    return abs
  }
  const found = await findPipelineFile(ctx.io.cwd)
  if (!found) {
    throw new PipewrightError('PW_ERR_PIPELINE_NOT_FOUND', `No pipeline file found in ${ctx.io.cwd}`)
  }
  return found
}

/** The directory whose store commands without `-f` use: where a pipeline file is, else cwd. */
async function defaultPipelineDir(ctx: CommandContext): Promise<string> {
  try {
    const found = await findPipelineFile(ctx.io.cwd)
    return found ? dirname(found) : ctx.io.cwd
  } catch {
    return ctx.io.cwd
  }
}

/** The shared store's URL: `--store` > PIPEWRIGHT_STORE (empty counts as unset); undefined: the SQLite store under the home. */
export function storeUrl(ctx: CommandContext): string | undefined {
  const chosen = [ctx.globals.store, ctx.io.env.PIPEWRIGHT_STORE].find((value) => value !== undefined && value.trim() !== '')
  return chosen?.trim()
}

/**
 * Opens the PostgreSQL store named by --store / PIPEWRIGHT_STORE. Loaded only then: commands on
 * the default SQLite store never load the driver.
 */
async function openSharedStore(url: string, home: string): Promise<{ store: Store; where: string }> {
  const { createPostgresStore, isPostgresUrl, redactUrl } = await import('@pipewright/store-postgres')
  if (!isPostgresUrl(url)) {
    throw new PipewrightError('PW_ERR_STORE_URL', `The store URL ${redactUrl(url)} is not a postgres:// URL`, {
      details: 'Use --store postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (or PIPEWRIGHT_STORE) for a shared store; for a local directory use --home DIR instead.',
    })
  }
  return { store: await createPostgresStore({ url, artifactDir: join(home, 'artifacts') }), where: redactUrl(url) }
}

/**
 * Opens the store: PostgreSQL when --store / PIPEWRIGHT_STORE names one, else the SQLite store at
 * --home / PIPEWRIGHT_HOME / the default for the pipeline directory. The home stays the place for
 * local files (the deployment agent, the artifact cache) either way.
 */
export async function openStore(ctx: CommandContext, pipelineDir?: string): Promise<{ store: Store; home: string; where: string }> {
  const home = resolveHome({ home: ctx.globals.home, env: ctx.io.env, pipelineDir: pipelineDir ?? (await defaultPipelineDir(ctx)) })
  const url = storeUrl(ctx)
  if (url !== undefined) return { ...(await openSharedStore(url, home)), home }
  return { store: await createSqliteStore({ dir: home }), home, where: home }
}

/** The store location of the read-only commands: that of the `-f` pipeline's directory, else the default. */
export async function storeHome(ctx: CommandContext, file: string | undefined): Promise<string> {
  const pipelineDir = file !== undefined ? dirname(await resolvePipelineFile(ctx, file)) : await defaultPipelineDir(ctx)
  return resolveHome({ home: ctx.globals.home, env: ctx.io.env, pipelineDir })
}

/**
 * Opens the store for reading, or returns no store when its database does not exist: commands
 * that only look must not leave an empty `.pipewright/` behind wherever they are run.
 */
export async function openExistingStore(ctx: CommandContext, file: string | undefined): Promise<{ store: Store | undefined; home: string }> {
  const home = await storeHome(ctx, file)
  const url = storeUrl(ctx)
  if (url !== undefined) return { store: (await openSharedStore(url, home)).store, home }
  if (!existsSync(join(home, DATABASE_FILE))) return { store: undefined, home }
  return { store: await createSqliteStore({ dir: home }), home }
}

/**
 * An engine with the first-party plugins (imported when a pipeline uses them) and the given store
 * (default: in memory). Given a `home`, `deploy:` stages deploy through that home's deployment
 * agent (started on the first deploy; the agent package loads only then).
 */
export async function openEngine(ctx: CommandContext, store: Store | undefined, cwd: string, extra: Pick<EngineOptions, 'pins' | 'logLimitBytes'> & { home?: string; workers?: WorkerQueue } = {}): Promise<Engine> {
  // The engine (and the parsers and schemas it brings) loads only for commands that need one.
  const { createEngine, EXECUTOR } = await import('@pipewright/core')
  const plugins = lazyFirstPartyPlugins()
  const logger = createEngineLogger(ctx.io.stderr, colorsFor(ctx.io, ctx.io.stderr), ctx.globals.debug === true)
  const { home, workers, ...options } = extra
  const services: EngineOptions['services'] = home ? [{ token: DEPLOYER, useValue: agentDeployer(home, cwd) }] : []
  if (workers) {
    const { createBullmqExecutor, workersPlugin } = await import('@pipewright/executor-bullmq')
    const executor = await createBullmqExecutor({ redisUrl: workers.redisUrl, queue: workers.queue, ...(store?.blobs ? { blobs: store.blobs } : {}) })
    services.push({ token: EXECUTOR, useValue: executor })
    plugins.push(workersPlugin(executor))
  }
  return createEngine({ plugins, ...(store ? { store } : {}), cwd, env: ctx.io.env, logger, services, ...options })
}

/** `run --queue`: stages go to workers on this queue, through this Redis. */
export interface WorkerQueue {
  queue: string
  redisUrl: string
}

/**
 * The worker queue of `run --queue NAME [--redis URL]`, checked: a valid name, and a shared store
 * (workers on other hosts read artifacts and write logs where the coordinator does).
 */
export async function workerQueue(ctx: CommandContext, flags: { queue?: string; redis?: string }): Promise<WorkerQueue | undefined> {
  if (flags.queue === undefined) return undefined
  const { resolveRedisUrl, validQueueName } = await import('@pipewright/executor-bullmq')
  if (!validQueueName(flags.queue)) throw new PipewrightError('PW_ERR_USAGE', `--queue ${flags.queue} is not a queue name`, { details: 'Use letters, digits, _ . - (up to 64), e.g. --queue default.' })
  if (storeUrl(ctx) === undefined) {
    throw new PipewrightError('PW_ERR_USAGE', '--queue needs a shared store', {
      details: 'Workers on other hosts read the needs\' artifacts from the store: pass --store postgres://… (or set PIPEWRIGHT_STORE) to the run and to every `pipewright worker`.',
    })
  }
  return { queue: flags.queue, redisUrl: resolveRedisUrl(flags.redis, ctx.io.env) }
}

/** The deployment agent's deployer, its package imported at the first call. */
function agentDeployer(home: string, cwd: string): Deployer {
  let deployer: Promise<Deployer> | undefined
  const get = () => (deployer ??= import('@pipewright/agent').then(({ createAgentDeployer }) => createAgentDeployer({ home, cwd })))
  return {
    deploy: async (request, options) => (await get()).deploy(request, options),
    rollback: async (environment, request, options) => (await get()).rollback(environment, request, options),
    status: async () => (await get()).status?.(),
  }
}

/** Who acts: `--as`, else the git user of the working directory; PW_ERR_USAGE when neither is known and `required`. */
export async function identityOf(ctx: CommandContext, as: string | undefined, required: boolean): Promise<string | undefined> {
  const identity = await resolveIdentity({ ...(as !== undefined ? { as } : {}), cwd: ctx.io.cwd, env: ctx.io.env })
  if (!identity && required) {
    throw new PipewrightError('PW_ERR_USAGE', 'Who is approving? No --as was given and git has no user configured here', {
      details: 'Pass --as <name>, or set `git config user.name` (and user.email).',
    })
  }
  return identity
}

/** Closes the engine (and with it the store); a failure to close must not hide the command's result. */
export async function closeQuietly(...closables: Array<{ close(): Promise<void> } | undefined>): Promise<void> {
  for (const c of closables) {
    try {
      await c?.close()
    } catch {
      // already closed, or the process is going away anyway
    }
  }
}
