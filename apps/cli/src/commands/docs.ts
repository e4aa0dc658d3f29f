import { PipewrightError } from '@pipewright/plugin-api'
import type { Command } from 'commander'
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, relative, resolve } from 'node:path'
import { closeQuietly, openEngine, resolvePipelineFile, type CommandContext } from '../context.js'
import { println } from '../io.js'
import { action, type CliRuntime } from './action.js'

interface DocsFlags {
  file?: string
  out: string
  check?: boolean
}

/** The first line where two documents differ (1-based), with both versions of it. */
function firstDifference(a: string, b: string): { line: number; committed: string; generated: string } {
  const x = a.split('\n')
  const y = b.split('\n')
  let i = 0
  while (i < Math.max(x.length, y.length) && x[i] === y[i]) i++
  return { line: i + 1, committed: x[i] ?? '(end of file)', generated: y[i] ?? '(end of file)' }
}

async function docs(ctx: CommandContext, flags: DocsFlags): Promise<number> {
  const file = await resolvePipelineFile(ctx, flags.file)
  const out = resolve(ctx.io.cwd, flags.out)
  const engine = await openEngine(ctx, undefined, dirname(file))
  let generated: string
  try {
    const { renderPipelineDocs } = await import('@pipewright/core')
    const pipeline = await engine.load(file)
    // The source path as seen from the document, so the text is the same on every machine.
    generated = renderPipelineDocs(pipeline.spec, await engine.plan(pipeline), relative(dirname(out), file) || file)
  } finally {
    await closeQuietly(engine)
  }
  const shown = relative(ctx.io.cwd, out) || out
  if (flags.check) {
    if (!existsSync(out)) throw new PipewrightError('PW_ERR_DOCS_OUTDATED', `${shown} does not exist`, { details: `Generate it with \`pipewright docs -f ${relative(ctx.io.cwd, file)} --out ${shown}\` and commit it.` })
    const committed = await readFile(out, 'utf8')
    if (committed !== generated) {
      const d = firstDifference(committed, generated)
      throw new PipewrightError('PW_ERR_DOCS_OUTDATED', `${shown} no longer matches ${relative(ctx.io.cwd, file)} (first difference at line ${d.line})`, {
        details: `committed: ${d.committed}\ngenerated: ${d.generated}\nRegenerate it with \`pipewright docs -f ${relative(ctx.io.cwd, file)} --out ${shown}\` and commit it.`,
      })
    }
    println(ctx.io.stdout, `${shown} matches ${relative(ctx.io.cwd, file)}.`)
    return 0
  }
  await mkdir(dirname(out), { recursive: true })
  await writeFile(out, generated)
  println(ctx.io.stdout, `wrote ${shown}`)
  return 0
}

export function registerDocs(program: Command, rt: CliRuntime): void {
  program
    .command('docs')
    .description('Write a Markdown description of the pipeline (stages, gates, environments, notifications, a Mermaid diagram); --check fails when the committed one is out of date')
    .option('-f, --file <file>', 'pipeline file (default: pipewright.yml found from the current directory)')
    .option('--out <file>', 'where the document goes', 'docs/pipeline.md')
    .option('--check', 'write nothing; exit 1 when <out> differs from what the pipeline generates (for CI)')
    .addHelpText(
      'after',
      `
Examples:
  $ pipewright docs                                  write docs/pipeline.md
  $ pipewright docs -f deploy/pipewright.yml --out docs/delivery.md
  $ pipewright docs --check                          in CI: is the committed document current?`,
    )
    .action(action(rt, (ctx, flags: DocsFlags) => docs(ctx, flags)))
}
