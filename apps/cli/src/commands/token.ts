import { PipewrightError } from '@pipewright/plugin-api'
import type { Command } from 'commander'
import { dirname } from 'node:path'
import { closeQuietly, identityOf, openStore, resolvePipelineFile, type CommandContext } from '../context.js'
import { println } from '../io.js'
import { action, type CliRuntime } from './action.js'

interface TokenFlags {
  file?: string
  name?: string
  role?: string
  json?: boolean
  as?: string
}

async function tokenStore(ctx: CommandContext, file: string | undefined) {
  let dir: string | undefined
  try {
    dir = dirname(await resolvePipelineFile(ctx, file))
  } catch (error) {
    if (file !== undefined) throw error
  }
  return openStore(ctx, dir)
}

/** Who changes tokens, for the audit trail: --as, else git's user, else the OS user. */
async function changedBy(ctx: CommandContext, flags: TokenFlags): Promise<string> {
  return (await identityOf(ctx, flags.as, false)) ?? ctx.io.env.USER ?? ctx.io.env.USERNAME ?? 'unknown'
}

async function create(ctx: CommandContext, flags: TokenFlags): Promise<number> {
  if (!flags.name || !flags.role) throw new PipewrightError('PW_ERR_USAGE', 'token create needs --name and --role', { details: 'e.g. pipewright token create --name alice --role approver' })
  const { createApiToken } = await import('@pipewright/server')
  const actor = await changedBy(ctx, flags)
  const { store, home } = await tokenStore(ctx, flags.file)
  try {
    const { token, record } = await createApiToken(store, { name: flags.name, role: flags.role, actor, source: 'cli' })
    if (flags.json) println(ctx.io.stdout, JSON.stringify({ name: record.name, role: record.role, token }, null, 2))
    else {
      println(ctx.io.stdout, token)
      println(ctx.io.stderr, `Token for ${record.name} (role ${record.role}) stored in ${home} as a hash: copy it now, it is not shown again.`)
    }
    return 0
  } finally {
    await closeQuietly(store)
  }
}

async function list(ctx: CommandContext, flags: TokenFlags): Promise<number> {
  const { store } = await tokenStore(ctx, flags.file)
  try {
    const tokens = (await store.listApiTokens()).map(({ hash: _hash, ...t }) => t)
    if (flags.json) println(ctx.io.stdout, JSON.stringify(tokens, null, 2))
    else if (tokens.length === 0) println(ctx.io.stdout, 'No tokens. Create one: pipewright token create --name <you> --role <role>')
    else for (const t of tokens) println(ctx.io.stdout, `${t.name.padEnd(20)} ${t.role.padEnd(9)} created ${new Date(t.createdAt).toISOString()}${t.revokedAt ? ctx.c.dim(`  revoked ${new Date(t.revokedAt).toISOString()}`) : ''}`)
    return 0
  } finally {
    await closeQuietly(store)
  }
}

async function revoke(ctx: CommandContext, name: string, flags: TokenFlags): Promise<number> {
  const { revokeApiToken } = await import('@pipewright/server')
  const actor = await changedBy(ctx, flags)
  const { store } = await tokenStore(ctx, flags.file)
  try {
    if (!(await revokeApiToken(store, { name, actor, source: 'cli' }))) throw new PipewrightError('PW_ERR_USAGE', `No live token named ${name}`, { details: 'See the names with `pipewright token list`.' })
    println(ctx.io.stdout, `Revoked the token of ${name}: requests with it get 401 from now on.`)
    return 0
  } finally {
    await closeQuietly(store)
  }
}

export function registerToken(program: Command, rt: CliRuntime): void {
  const token = program.command('token').description('API tokens of the server: create (shown once, stored as a hash), list, revoke')
  token.command('create')
    .description('Create a token and print it once')
    .option('--name <name>', 'whose token: the identity requests act as (approvals count as this person)')
    .option('--role <role>', 'viewer (read), operator (trigger, cancel, retry, deploy), approver (approve/reject), admin (all, tokens)')
    .option('-f, --file <file>', 'pipeline file whose store to use (default: found from the current directory)')
    .option('--json', 'print { name, role, token } as JSON')
    .option('--as <name>', 'who creates it, for the audit trail (default: git user.name, else $USER)')
    .addHelpText('after', '\nExamples:\n  $ pipewright token create --name alice --role approver\n  $ pipewright token create --name ci-bot --role operator --json')
    .action(action(rt, (ctx, flags: TokenFlags) => create(ctx, flags)))
  token.command('list')
    .description('List tokens (names, roles, dates; never the tokens)')
    .option('-f, --file <file>', 'pipeline file whose store to use')
    .option('--json', 'print JSON')
    .action(action(rt, (ctx, flags: TokenFlags) => list(ctx, flags)))
  token.command('revoke')
    .description('Revoke the live token of a name')
    .argument('<name>', 'the token\'s name')
    .option('--as <name>', 'who revokes it, for the audit trail (default: git user.name, else $USER)')
    .option('-f, --file <file>', 'pipeline file whose store to use')
    .action(action(rt, (ctx, name: string, flags: TokenFlags) => revoke(ctx, name, flags)))
}
