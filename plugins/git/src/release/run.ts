import { existsSync } from 'node:fs'
import { basename, join } from 'node:path'
import { PipewrightError, type StageContext } from '@pipewright/plugin-api'
import semver from 'semver'
import { createGitAuth } from '../auth.js'
import { execFromContext } from '../exec.js'
import { createGitRunner, type GitRunner } from '../git.js'
import { confinePath } from '../paths.js'
import { remoteError, resolveRemote } from '../remote.js'
import { prependChangelog, renderChangelog } from './changelog.js'
import { bumpLevel, readCommits } from './commits.js'
import type { ReleaseConfig } from './schema.js'
import { findLastVersionTag } from './tags.js'

/** `git/release`: next version from conventional commits, changelog, annotated tag, optional push. */
export async function runRelease(ctx: StageContext, config: ReleaseConfig): Promise<void> {
  const field = `stages.${ctx.stageId}.with`
  const dir = confinePath(ctx.workspace, config.path, `${field}.path`)
  const exec = execFromContext(ctx)
  const local = createGitRunner({ exec })
  await assertRepository(local, dir, `${field}.path`)
  if (config.package) confinePath(dir, config.package, `${field}.package`)
  if (existsSync(join(dir, '.git', 'shallow'))) {
    ctx.logger.warn('The checkout is shallow: older version tags and commits may be missing. Check out without `depth:` to release.')
  }

  const prefix = config['tag-prefix'] ?? (config.package ? `${basename(config.package)}@` : 'v')
  const last = await findLastVersionTag(local, dir, prefix)
  const commits = await readCommits(local, dir, last?.tag, config.package)
  const level = bumpLevel(commits)
  ctx.outputs.set('previous-version', last?.version ?? '')
  ctx.outputs.set('previous-tag', last?.tag ?? '')

  if (!level) {
    ctx.outputs.set('released', false)
    ctx.outputs.set('version', last?.version ?? '')
    ctx.outputs.set('tag', last?.tag ?? '')
    ctx.outputs.set('changelog', '')
    ctx.summary(`No release: ${commits.length} commit${commits.length === 1 ? '' : 's'} since ${last?.tag ?? 'the start'}${config.package ? ` in ${config.package}` : ''}, none of them feat, fix, perf or breaking`)
    return
  }

  const version = last ? (semver.inc(last.version, level) ?? config['initial-version']) : config['initial-version']
  const tag = `${prefix}${version}`
  const date = (await local.run(['log', '-1', '--format=%cs', 'HEAD'], { cwd: dir })).trim()
  const changelog = renderChangelog(version, date, commits)
  await createTag(local, dir, tag, changelog, config)
  ctx.logger.info(`Tagged ${tag} (${level} bump from ${last?.tag ?? 'no earlier version'})`)

  if (config.push) {
    try {
      await pushTag(ctx, exec, dir, tag, config, field)
    } catch (error) {
      // Without the pushed tag the release did not happen; dropping it lets a retry start clean.
      await local.attempt(['tag', '-d', tag], { cwd: dir })
      throw error
    }
  }
  if (config['changelog-file']) {
    const file = confinePath(dir, config['changelog-file'], `${field}.changelog-file`)
    if (!prependChangelog(file, changelog, version)) ctx.logger.warn(`${config['changelog-file']} already has a section for ${version}; left unchanged`)
  }

  ctx.outputs.set('released', true)
  ctx.outputs.set('version', version)
  ctx.outputs.set('tag', tag)
  ctx.outputs.set('changelog', changelog)
  ctx.summary(`Released ${tag} (${level}) from ${commits.length} commit${commits.length === 1 ? '' : 's'}${config.push ? `, pushed to ${config.remote}` : ''}`)
}

async function assertRepository(git: GitRunner, dir: string, field: string): Promise<void> {
  const result = await git.attempt(['rev-parse', '--verify', '-q', 'HEAD^{commit}'], { cwd: dir })
  if (result.exitCode !== 0) {
    throw new PipewrightError('PW_ERR_GIT_REPOSITORY', `${field} ${dir} is not a git checkout with commits`, {
      details: 'Run git/checkout first, or point `path:` at a repository inside the workspace.',
    })
  }
}

async function createTag(git: GitRunner, dir: string, tag: string, changelog: string, config: ReleaseConfig): Promise<void> {
  const existing = await git.attempt(['rev-parse', '--verify', '-q', `refs/tags/${tag}`], { cwd: dir })
  if (existing.exitCode === 0) {
    throw new PipewrightError('PW_ERR_GIT_REF', `Tag ${tag} already exists in ${dir} but is not an ancestor of HEAD`, {
      details: 'Another branch was released with this version: release from the branch that has the tag, or delete the stray tag.',
    })
  }
  const email = await git.attempt(['config', '--get', 'user.email'], { cwd: dir })
  const tagger = config.tagger ?? (email.exitCode === 0 && email.stdout.trim() ? undefined : { name: 'Pipewright', email: 'pipewright@localhost' })
  const env: Record<string, string> = tagger ? { GIT_COMMITTER_NAME: tagger.name, GIT_COMMITTER_EMAIL: tagger.email } : {}
  // verbatim: the default cleanup would strip the changelog's `## …` lines as comments.
  await git.run(['tag', '-a', '--cleanup=verbatim', '-m', `Release ${tag}\n\n${changelog}`, tag, 'HEAD'], { cwd: dir, env })
}

async function pushTag(ctx: StageContext, exec: ReturnType<typeof execFromContext>, dir: string, tag: string, config: ReleaseConfig, field: string): Promise<void> {
  const plain = createGitRunner({ exec })
  const url = await plain.attempt(['remote', 'get-url', config.remote], { cwd: dir })
  if (url.exitCode !== 0) {
    throw new PipewrightError('PW_ERR_GIT_REMOTE', `${field}.remote "${config.remote}" is not a remote of ${dir}`, {
      details: 'Set `remote:` to one of the names `git remote` lists (default origin).',
    })
  }
  const remote = resolveRemote(url.stdout.trim(), dir, `${field}.remote "${config.remote}"`, `Remove them from the remote's URL (git remote set-url ${config.remote} <URL without user info>)`)
  const auth = createGitAuth({ remote, credentials: config.credentials, secrets: ctx.secrets, where: `${field}.credentials`, baseEnv: ctx.env })
  const git = createGitRunner({ exec, env: auth.env, redact: ctx.redact })
  const result = await git.attempt(['push', '--quiet', config.remote, `refs/tags/${tag}:refs/tags/${tag}`], { cwd: dir })
  if (result.exitCode !== 0) throw remoteError(remote, 'push', result.stderr, auth.secretName)
  ctx.logger.info(`Pushed ${tag} to ${remote.display}`)
}
