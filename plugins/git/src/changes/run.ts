import { PipewrightError, type StageContext } from '@pipewright/plugin-api'
import { execFromContext } from '../exec.js'
import { createGitRunner } from '../git.js'
import { confinePath } from '../paths.js'
import { CHANGES_RECORD, commitSha, resolveBase, type ChangesRecord } from './base.js'
import { matchFilters } from './filters.js'
import type { ChangesConfig } from './schema.js'

/** `git/changes`: which named path filters the changes between two commits touch. */
export async function runChanges(ctx: StageContext, config: ChangesConfig): Promise<void> {
  const field = `stages.${ctx.stageId}.with`
  const dir = confinePath(ctx.workspace, config.path, `${field}.path`)
  const git = createGitRunner({ exec: execFromContext(ctx) })
  const head = await commitSha(git, dir, config.head)
  if (!head) {
    throw new PipewrightError('PW_ERR_GIT_REF', `${field}.head "${config.head}" is not a commit in ${dir}`, {
      details: 'Run git/changes inside a checkout (set `path:`), and set `head:` to a commit that exists.',
    })
  }
  const base = await resolveBase({ git, dir, head, base: config.base, defaultBranch: config['default-branch'], records: ctx.records, field })
  const listing = base.sha
    ? await git.run(['diff', '--name-only', '-z', '--no-renames', base.sha, head], { cwd: dir })
    : await git.run(['ls-tree', '-r', '-z', '--name-only', head], { cwd: dir })
  const files = listing.split('\0').filter((f) => f.length > 0)
  const results = matchFilters(files, config.filters)

  for (const { name, matched } of results) ctx.outputs.set(name, matched.length > 0)
  ctx.outputs.set('files', files.length)
  ctx.outputs.set('base', base.sha ?? '')
  ctx.outputs.set('head', head)
  ctx.outputs.set('changed', JSON.stringify(results.filter((r) => r.matched.length > 0).map((r) => r.name)))
  for (const file of files.slice(0, 200)) ctx.logger.debug(`changed: ${file}`)

  const range = base.sha ? `${base.sha.slice(0, 7)}..${head.slice(0, 7)}` : head.slice(0, 7)
  const perFilter = results.map((r) => (r.matched.length > 0 ? `${r.name} (${r.matched.length})` : `${r.name}: no changes`))
  ctx.summary(`${files.length} file${files.length === 1 ? '' : 's'} changed in ${range}, compared with ${base.description}${perFilter.length ? `; ${perFilter.join(', ')}` : ''}`)
  await ctx.records.save(CHANGES_RECORD, { head, base: base.sha } satisfies ChangesRecord)
}
