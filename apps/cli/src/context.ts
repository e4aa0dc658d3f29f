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

/** Opens the SQLite store at --home / PIPEWRIGHT_HOME / the default for the pipeline directory. */
export async function openStore(ctx: CommandContext, pipelineDir?: string): Promise<{ store: Store; home: string }> {
  const home = resolveHome({ home: ctx.globals.home, env: ctx.io.env, pipelineDir: pipelineDir ?? (await defaultPipelineDir(ctx)) })
  const store = await createSqliteStore({ dir: home })
  return { store, home }
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
  if (!existsSync(join(home, DATABASE_FILE))) return { store: undefined, home }
  return { store: await createSqliteStore({ dir: home }), home }
}

/**
 * An engine with the first-party plugins (imported when a pipeline uses them) and the given store
 * (default: in memory). Given a `home`, `deploy:` stages deploy through that home's deployment
 * agent (started on the first deploy; the agent package loads only then).
 */
export async function openEngine(ctx: CommandContext, store: Store | undefined, cwd: string, extra: Pick<EngineOptions, 'pins' | 'logLimitBytes'> & { home?: string } = {}): Promise<Engine> {
  // The engine (and the parsers and schemas it brings) loads only for commands that need one.
  const { createEngine } = await import('@pipewright/core')
  const plugins = lazyFirstPartyPlugins()
  const logger = createEngineLogger(ctx.io.stderr, colorsFor(ctx.io, ctx.io.stderr), ctx.globals.debug === true)
  const { home, ...options } = extra
  const services = home ? [{ token: DEPLOYER, useValue: agentDeployer(home, cwd) }] : []
  return createEngine({ plugins, ...(store ? { store } : {}), cwd, env: ctx.io.env, logger, services, ...options })
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
