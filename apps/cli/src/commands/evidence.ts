import { PipewrightError } from '@pipewright/plugin-api'
import type { Command } from 'commander'
import { mkdir, writeFile } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import { closeQuietly, openExistingStore, type CommandContext } from '../context.js'
import { println } from '../io.js'
import { action, type CliRuntime } from './action.js'

interface EvidenceFlags {
  file?: string
  out?: string
  json?: boolean
}

const FILES = ['evidence.json', 'evidence.md', 'evidence.html'] as const

async function evidence(ctx: CommandContext, ref: string, flags: EvidenceFlags): Promise<number> {
  const { store, home } = await openExistingStore(ctx, flags.file)
  if (!store) throw new PipewrightError('PW_ERR_DEPLOYMENT_NOT_FOUND', `Deployment ${ref} is not in ${home}: there is no store there`)
  try {
    const { buildEvidence, renderEvidenceHtml, renderEvidenceMarkdown } = await import('@pipewright/core')
    const bundle = await buildEvidence(store, ref.trim())
    if (flags.json) {
      println(ctx.io.stdout, JSON.stringify(bundle, null, 2))
      return 0
    }
    const dir = resolve(ctx.io.cwd, flags.out ?? `evidence-${bundle.deployment.id}`)
    await mkdir(dir, { recursive: true })
    const contents = [`${JSON.stringify(bundle, null, 2)}\n`, renderEvidenceMarkdown(bundle), renderEvidenceHtml(bundle)]
    for (const [i, name] of FILES.entries()) {
      try {
        await writeFile(join(dir, name), contents[i]!, { flag: 'wx' })
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'EEXIST') throw error
        throw new PipewrightError('PW_ERR_USAGE', `${join(relative(ctx.io.cwd, dir) || '.', name)} already exists`, { details: 'Pass --out with a new directory: an evidence bundle never overwrites an earlier one.' })
      }
    }
    println(ctx.io.stdout, `Wrote the evidence of ${bundle.deployment.id} (${bundle.deployment.version} to ${bundle.deployment.environment}) to ${relative(ctx.io.cwd, dir) || '.'}/: ${FILES.join(', ')}`)
    return 0
  } finally {
    await closeQuietly(store)
  }
}

export function registerEvidence(program: Command, rt: CliRuntime): void {
  program
    .command('evidence')
    .description('Write an evidence bundle for one deployment: who, what, when, why, commits, tests, lint, images, approvals, verification')
    .argument('<deployment>', 'a deployment id (dep-…) or a unique prefix; `pipewright history <environment>` lists them')
    .option('-f, --file <file>', 'the pipeline whose store to read (default: found from the current directory)')
    .option('--out <dir>', 'directory to write evidence.json, evidence.md and evidence.html into (default: evidence-<deployment>)')
    .option('--json', 'print the bundle as JSON instead of writing files')
    .addHelpText('after', `
The bundle reads without Pipewright: evidence.md and evidence.html (self-contained, no scripts)
for people, evidence.json for tools. It holds the deployment record, the run that made it (who
triggered it, var and secret names), the commits since the previous deployment (git log), test
and lint results, pushed image digests and build provenance, approvals with comments, the
deploy stage's gates and outcome, and the run's audit entries with their hashes.

Examples:
  $ pipewright history production --limit 3
  $ pipewright evidence dep-mx2vasig-3 --out audit/2026-01-release`)
    .action(action(rt, (ctx, ref: string, flags: EvidenceFlags) => evidence(ctx, ref, flags)))
}
