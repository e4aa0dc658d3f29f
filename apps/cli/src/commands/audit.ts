import { verifyAuditChain, type AuditEntry, type AuditHead, type Store } from '@pipewright/store-api'
import { PipewrightError } from '@pipewright/plugin-api'
import type { Command } from 'commander'
import { createWriteStream } from 'node:fs'
import { resolve } from 'node:path'
import { finished } from 'node:stream/promises'
import { closeQuietly, openExistingStore, type CommandContext } from '../context.js'
import { println } from '../io.js'
import { parseTimeOption } from '../time-options.js'
import { action, type CliRuntime } from './action.js'

interface AuditFlags {
  file?: string
  json?: boolean
  anchor?: string
  since?: string
  until?: string
  out?: string
  action?: string
}

/** Entries read per query, so a long trail never sits in memory twice. */
const PAGE = 1000

async function* pages(store: Store, filter: { since?: number; until?: number; action?: string }): AsyncGenerator<AuditEntry[]> {
  let afterSeq = 0
  for (;;) {
    const page = await store.listAudit({ ...filter, afterSeq, limit: PAGE })
    if (page.length === 0) return
    yield page
    afterSeq = page.at(-1)!.seq
  }
}

function parseAnchor(value: string): AuditHead {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(value.trim())
  if (!match) throw new PipewrightError('PW_ERR_USAGE', `--anchor ${value} is not <seq>:<hash>`, { details: 'Pass the line `pipewright audit head` printed when you wrote it down, e.g. --anchor 42:3f9c…(64 hex digits).' })
  return { seq: Number(match[1]), hash: match[2]! }
}

async function verify(ctx: CommandContext, flags: AuditFlags): Promise<number> {
  const anchor = flags.anchor === undefined ? undefined : parseAnchor(flags.anchor)
  const { store, home } = await openExistingStore(ctx, flags.file)
  if (!store) {
    println(ctx.io.stdout, flags.json ? JSON.stringify({ ok: true, entries: 0, problems: [], home }) : `Nothing to verify: there is no store at ${home}.`)
    return 0
  }
  try {
    const entries: AuditEntry[] = []
    for await (const page of pages(store, {})) entries.push(...page)
    const result = verifyAuditChain(entries, { head: await store.getAuditHead(), ...(anchor ? { anchor } : {}) })
    if (flags.json) println(ctx.io.stdout, JSON.stringify({ ...result, home }))
    else if (result.ok) println(ctx.io.stdout, `Audit trail of ${home} verifies: ${result.entries} entr${result.entries === 1 ? 'y' : 'ies'}${result.head ? `, head ${result.head.seq}:${result.head.hash}` : ''}${anchor ? `; anchor ${anchor.seq} matches` : ''}.`)
    else for (const problem of result.problems) println(ctx.io.stdout, `entry ${problem.seq}: ${problem.kind}: ${problem.message}`)
    if (result.ok) return 0
    throw new PipewrightError('PW_ERR_AUDIT_TAMPERED', `The audit trail of ${home} does not verify: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}, the first at entry ${result.problems[0]!.seq} (${result.problems[0]!.kind})`)
  } finally {
    await closeQuietly(store)
  }
}

async function exportEntries(ctx: CommandContext, flags: AuditFlags): Promise<number> {
  const filter = {
    ...(flags.since !== undefined ? { since: parseTimeOption('--since', flags.since) } : {}),
    ...(flags.until !== undefined ? { until: parseTimeOption('--until', flags.until) } : {}),
    ...(flags.action !== undefined ? { action: flags.action } : {}),
  }
  const { store, home } = await openExistingStore(ctx, flags.file)
  const out = flags.out === undefined ? undefined : createWriteStream(resolve(ctx.io.cwd, flags.out), { flags: 'wx' })
  const write = (line: string) => (out ? out.write(`${line}\n`) : println(ctx.io.stdout, line))
  let count = 0
  try {
    if (out) await new Promise<void>((ok, fail) => out.once('open', () => ok()).once('error', fail))
    if (store) {
      for await (const page of pages(store, filter)) {
        for (const entry of page) write(JSON.stringify(entry))
        count += page.length
      }
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (code === 'EEXIST' || code === 'ENOENT' || code === 'EACCES') {
      throw new PipewrightError('PW_ERR_USAGE', `Cannot write --out ${flags.out}: ${code === 'EEXIST' ? 'the file exists' : (error as Error).message}`, { details: 'Name a new file in a writable directory; an export never overwrites one.' })
    }
    throw error
  } finally {
    await closeQuietly(store)
    if (out) {
      out.end()
      await finished(out).catch(() => undefined)
    }
  }
  if (out) println(ctx.io.stderr, `Wrote ${count} audit entr${count === 1 ? 'y' : 'ies'} of ${home} to ${flags.out}.`)
  return 0
}

async function head(ctx: CommandContext, flags: AuditFlags): Promise<number> {
  const { store, home } = await openExistingStore(ctx, flags.file)
  try {
    const found = store ? await store.getAuditHead() : undefined
    if (flags.json) println(ctx.io.stdout, JSON.stringify(found ?? null))
    else if (found) println(ctx.io.stdout, `${found.seq}:${found.hash}`)
    else println(ctx.io.stderr, `The audit trail of ${home} is empty.`)
    return 0
  } finally {
    await closeQuietly(store)
  }
}

export function registerAudit(program: Command, rt: CliRuntime): void {
  const audit = program
    .command('audit')
    .description('Check and export the tamper-evident audit trail (who triggered, approved, deployed, rolled back, unlocked …)')
    .addHelpText('after', `
Every action is an entry chained to the one before by a SHA-256 hash, and the store keeps the
hash of the last one: an edited, removed, inserted or reordered entry breaks the chain where it
happened. Write the head down somewhere else now and then (\`pipewright audit head\`) to catch
even a rewrite of the whole log (\`audit verify --anchor\`).

Examples:
  $ pipewright audit verify
  $ pipewright audit export --since 30d --out audit-2026-01.jsonl
  $ pipewright audit head >> ~/audit-anchors.txt`)

  audit
    .command('verify')
    .description('Check every entry of the audit trail; exit 1 naming each altered, removed, inserted or reordered entry')
    .option('-f, --file <file>', 'the pipeline whose store to check (default: found from the current directory)')
    .option('--anchor <seq:hash>', 'a head written down earlier with `pipewright audit head`: that entry must still be there, unchanged')
    .option('--json', 'print { ok, entries, head, problems: [{ seq, kind, message }] }')
    .addHelpText('after', `
Examples:
  $ pipewright audit verify
  $ pipewright audit verify --anchor "$(tail -1 ~/audit-anchors.txt)"`)
    .action(action(rt, (ctx, flags: AuditFlags) => verify(ctx, flags)))

  audit
    .command('export')
    .description('Write audit entries as JSON lines (one entry per line, oldest first, with their hashes)')
    .option('-f, --file <file>', 'the pipeline whose store to read (default: found from the current directory)')
    .option('--since <when>', 'entries at or after: a duration back from now (30d, 12h) or an ISO date')
    .option('--until <when>', 'entries before: a duration back from now or an ISO date')
    .option('--action <action>', 'only this action, e.g. deploy.finished or approval.approved')
    .option('--out <file>', 'write to this new file instead of standard output (never overwrites)')
    .addHelpText('after', `
Examples:
  $ pipewright audit export --since 2026-01-01 --until 2026-02-01 --out january.jsonl
  $ pipewright audit export --since 7d --action approval.approved`)
    .action(action(rt, (ctx, flags: AuditFlags) => exportEntries(ctx, flags)))

  audit
    .command('head')
    .description('Print the last entry as <seq>:<hash>, to keep outside the store as an anchor')
    .option('-f, --file <file>', 'the pipeline whose store to read (default: found from the current directory)')
    .option('--json', 'print { seq, hash } (null when empty)')
    .action(action(rt, (ctx, flags: AuditFlags) => head(ctx, flags)))
}
