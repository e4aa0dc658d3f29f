import { existsSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { StageContext } from '@pipewright/plugin-api'
import { createGitAuth } from '../auth.js'
import { execFromContext } from '../exec.js'
import { createGitRunner, gitReason, type GitRunner } from '../git.js'
import { readGitInfo } from '../info.js'
import { confinePath } from '../paths.js'
import { remoteError, resolveRemote, type RemoteSpec } from '../remote.js'
import type { CheckoutConfig } from './schema.js'
import { listRemoteRefs, resolveTarget, unknownRef, type CheckoutTarget } from './target.js'
import { prepareWorkdir } from './workdir.js'

/** `git/checkout`: clones or fetches `repo` at `ref` into `path` and reports the commit. */
export async function runCheckout(ctx: StageContext, config: CheckoutConfig): Promise<void> {
  const where = `stages.${ctx.stageId}.with`
  const dir = confinePath(ctx.workspace, config.path, `${where}.path`)
  const remote = resolveRemote(config.repo, ctx.pipeline.dir, `${where}.repo`)
  const auth = createGitAuth({
    remote,
    credentials: config.credentials,
    secrets: ctx.secrets,
    where: `${where}.credentials`,
    // Submodules of a local repository are local too; git refuses file:// for them by default.
    extraConfig: remote.kind === 'local' ? [['protocol.file.allow', 'always']] : [],
    baseEnv: ctx.env,
  })
  const git = createGitRunner({ exec: execFromContext(ctx), env: auth.env, redact: ctx.redact })

  const refs = await listRemoteRefs(git, remote, ctx.workspace, auth.env, auth.secretName)
  const target = resolveTarget(refs, config.ref, remote)
  const state = await prepareWorkdir(git, dir, remote, `${where}.path`)
  ctx.logger.info(`Fetching ${target.kind} ${target.name} from ${remote.display} into ${relative(ctx.workspace, dir) || '.'} (${state} checkout)`)

  const sha = await fetchTarget(git, dir, remote, target, config.depth, auth.secretName)
  if (refs.defaultBranch) await trackDefaultBranch(ctx, git, dir, refs.defaultBranch, target, config.depth)
  if (target.kind === 'branch') {
    await git.run(['checkout', '-q', '--force', '-B', target.name, `refs/remotes/origin/${target.name}`], { cwd: dir })
  } else {
    await git.run(['checkout', '-q', '--force', '--detach', sha], { cwd: dir })
  }
  if (config.clean) await git.run(['clean', '-ffdq'], { cwd: dir })
  if (config.submodules) {
    await git.run(['submodule', 'sync', '--recursive', '--quiet'], { cwd: dir })
    const depth = config.depth ? [`--depth=${config.depth}`] : []
    const result = await git.attempt(['submodule', 'update', '--init', '--recursive', '--force', ...depth], { cwd: dir })
    if (result.exitCode !== 0) throw remoteError(remote, 'submodule update', result.stderr, auth.secretName)
  }

  const info = await readGitInfo(dir, execFromContext(ctx))
  const subject = info?.message.split('\n')[0] ?? ''
  ctx.outputs.set('sha', info?.sha ?? sha)
  ctx.outputs.set('branch', info?.branch ?? '')
  ctx.outputs.set('message', subject)
  ctx.outputs.set('author', info?.author ?? '')
  ctx.outputs.set('path', dir)
  ctx.summary(`Checked out ${remote.display} ${target.kind} ${target.name} at ${(info?.sha ?? sha).slice(0, 7)}: ${subject}`)
}

/**
 * Fetches the remote's default branch too and points `origin/HEAD` at it, so `git/changes` can find
 * the merge base of a feature branch. Best effort: a failure only costs that fallback.
 */
async function trackDefaultBranch(ctx: StageContext, git: GitRunner, dir: string, branch: string, target: CheckoutTarget, depth: number | undefined): Promise<void> {
  const tracking = `refs/remotes/origin/${branch}`
  if (!(target.kind === 'branch' && target.name === branch)) {
    const depthArgs = depth ? [`--depth=${depth}`] : []
    const result = await git.attempt(['fetch', '--quiet', '--force', ...depthArgs, 'origin', `+refs/heads/${branch}:${tracking}`], { cwd: dir })
    if (result.exitCode !== 0) {
      ctx.logger.warn(`Could not fetch the default branch ${branch}: ${gitReason(result.stderr)}`)
      return
    }
  }
  await git.attempt(['symbolic-ref', 'refs/remotes/origin/HEAD', tracking], { cwd: dir })
}

/** Fetches what the target needs and returns the commit sha to check out. */
async function fetchTarget(git: GitRunner, dir: string, remote: RemoteSpec, target: CheckoutTarget, depth: number | undefined, secretName?: string): Promise<string> {
  const depthArgs = depth ? [`--depth=${depth}`] : []
  const fetch = async (refspecs: string[], extra: string[] = depthArgs) => {
    const result = await git.attempt(['fetch', '--quiet', '--force', ...extra, 'origin', ...refspecs], { cwd: dir })
    if (result.exitCode !== 0) throw remoteError(remote, 'fetch', result.stderr, secretName)
  }
  const commitOf = async (rev: string) => {
    const result = await git.attempt(['rev-parse', '--verify', '-q', `${rev}^{commit}`], { cwd: dir })
    return result.exitCode === 0 ? result.stdout.trim() : undefined
  }
  if (target.kind === 'branch') {
    await fetch([`+${target.ref}:refs/remotes/origin/${target.name}`])
    return (await commitOf(`refs/remotes/origin/${target.name}`)) ?? ''
  }
  if (target.kind === 'tag') {
    await fetch([`+${target.ref}:${target.ref}`])
    return (await commitOf(target.ref)) ?? ''
  }
  // A full sha can usually be fetched directly (protocol v2); otherwise fetch everything and look.
  if (target.name.length >= 40) {
    const direct = await git.attempt(['fetch', '--quiet', ...depthArgs, 'origin', target.name], { cwd: dir })
    if (direct.exitCode === 0) {
      const sha = await commitOf(target.name)
      if (sha) return sha
    }
  }
  const unshallow = existsSync(join(dir, '.git', 'shallow')) ? ['--unshallow'] : []
  await fetch(['+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*'], unshallow)
  const sha = await commitOf(target.name)
  if (!sha) throw unknownRef(target.name, remote)
  return sha
}
