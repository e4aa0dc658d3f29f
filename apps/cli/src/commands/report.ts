import type { Store } from '@pipewright/core'
import type { Command } from 'commander'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { closeQuietly, openExistingStore, type CommandContext } from '../context.js'
import { println } from '../io.js'
import { action, type CliRuntime } from './action.js'

interface ReportFlags {
  file?: string
  since: string
  format: string
  out?: string
  pipeline?: string
}

/** Writes a report to stdout, or to `--out` (with its charts beside it, for Markdown). */
async function emit(ctx: CommandContext, rendered: { text: string; files: Array<{ name: string; content: string }> }, out: string | undefined): Promise<void> {
  if (!out) {
    ctx.io.stdout.write(rendered.text)
    return
  }
  await mkdir(dirname(out), { recursive: true })
  for (const f of rendered.files) await writeFile(resolve(dirname(out), f.name.split('/').pop()!), f.content)
  await writeFile(out, rendered.text)
  println(ctx.io.stderr, `wrote ${out}${rendered.files.length ? ` and ${rendered.files.length} chart${rendered.files.length > 1 ? 's' : ''} beside it` : ''}`)
}

/** Checks the flags before any store is opened, then runs `fn` on the store (an empty one when there is none yet). */
async function withReport(ctx: CommandContext, flags: ReportFlags, fn: (store: Store, insight: typeof import('@pipewright/insight'), window: { from: number; to: number }, format: import('@pipewright/insight').ReportFormat) => Promise<void>): Promise<number> {
  const insight = await import('@pipewright/insight')
  const format = insight.reportFormat(flags.format)
  const window = insight.parseSince(flags.since, Date.now())
  const { store } = await openExistingStore(ctx, flags.file)
  try {
    // No store yet: nothing was run or deployed; an empty one says so without creating a file.
    await fn(store ?? (await import('@pipewright/core')).createMemoryStore(), insight, window, format)
    return 0
  } finally {
    await closeQuietly(store)
  }
}

async function dora(ctx: CommandContext, flags: ReportFlags & { env: string }): Promise<number> {
  return withReport(ctx, flags, async (store, insight, window, format) => {
    const report = await insight.computeDora(store, { window, environment: flags.env, ...(flags.pipeline ? { pipeline: flags.pipeline } : {}) })
    const out = flags.out ? resolve(ctx.io.cwd, flags.out) : undefined
    await emit(ctx, await insight.renderDora(report, format, out ? { chartFilePrefix: out.replace(/\.[a-z]+$/i, '') } : {}), out)
  })
}

async function review(ctx: CommandContext, flags: ReportFlags): Promise<number> {
  return withReport(ctx, flags, async (store, insight, window, format) => {
    const result = await insight.computeReview(store, { window, ...(flags.pipeline ? { pipeline: flags.pipeline } : {}) })
    const out = flags.out ? resolve(ctx.io.cwd, flags.out) : undefined
    await emit(ctx, await insight.renderReview(result, format, out ? { chartFilePrefix: out.replace(/\.[a-z]+$/i, '') } : {}), out)
  })
}

function common(command: Command): Command {
  return command
    .option('-f, --file <file>', 'pipeline file whose store to read (default: pipewright.yml found from the current directory)')
    .option('--pipeline <name>', 'only this pipeline (default: every pipeline in the store)')
    .option('--since <window>', 'how far back: a span (30d, 12w, 48h) or a start date (2026-01-01)', '30d')
    .option('--format <format>', 'text, json, md or html (md and html include SVG charts)', 'text')
    .option('--out <file>', 'write to this file instead of stdout (Markdown charts go beside it as .svg files)')
}

export function registerReport(program: Command, rt: CliRuntime): void {
  const report = program
    .command('report')
    .description('Delivery reports from the store: DORA metrics, and a review of where time goes')
    .addHelpText('after', `
Examples:
  $ pipewright report dora                           DORA metrics of production, last 30 days
  $ pipewright report dora --env staging --since 12w --format md --out docs/dora.md
  $ pipewright report review --since 2w              slow stages, waiting, cache, flaky tests, failures, CPU

Definitions and DORA's performance bands: docs/insight.md.`)
  common(report.command('dora'))
    .description('Deployment frequency, lead time for changes, change failure rate, failed-deployment recovery time and rework rate, with their DORA performance bands')
    .option('--env <environment>', 'the environment deployments go to', 'production')
    .addHelpText('after', `
What counts:
  a deployment     a deploy to the environment that went live, finished inside the window
  lead time        from the commit's time to the deployment's end (median)
  a failure        a deployment rolled back, whose verification failed after it went live, or
                   followed within 24 h by a hotfix (a deployment from a hotfix/... branch)
  recovery time    from a failed deployment to the next good deployment or rollback (median)
  rework           a hotfix, or the first deployment within 24 h after a failure

Examples:
  $ pipewright report dora
  $ pipewright report dora --pipeline shop --since 2026-01-01 --format json | jq .pipelines[0].leadTime
  $ pipewright report dora --format html --out dora.html`)
    .action(action(rt, (ctx, flags: ReportFlags & { env: string }) => dora(ctx, flags)))
  common(report.command('review'))
    .description('Process review: slowest stages and their trend, waiting, cache, flaky tests, failure causes, CPU by stage — each finding with a suggestion and its numbers')
    .addHelpText('after', `
Examples:
  $ pipewright report review
  $ pipewright report review --since 2w --format md --out review.md
  $ pipewright report review --format json | jq '.suggestions[].text'`)
    .action(action(rt, (ctx, flags: ReportFlags) => review(ctx, flags)))
}
