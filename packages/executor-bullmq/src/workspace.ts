import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { PipewrightError, type StoredArtifact } from '@pipewright/plugin-api'
import type { StageJob } from '@pipewright/core'
import type { BlobStore } from '@pipewright/store-api'

function git(cwd: string, args: string[]): Promise<void> {
  return new Promise((done, fail) => {
    execFile('git', args, { cwd, timeout: 120_000, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }, (error, _stdout, stderr) =>
      error ? fail(new Error(`git ${args[0]} failed: ${String(stderr).trim() || error.message}`)) : done())
  })
}

const safeName = (id: string) => id.replace(/[^A-Za-z0-9_.=-]/g, '_')

/** `path` inside `root` (no `..`, not absolute), or a PW_ERR_PATH_ESCAPE naming it. */
export function inside(root: string, path: string, what: string): string {
  const full = resolve(root, path)
  if (full !== root && !full.startsWith(root + sep)) {
    throw new PipewrightError('PW_ERR_PATH_ESCAPE', `${what} ${path} is outside ${root}`)
  }
  return full
}

/** Where a job runs on this worker, and the environment that points there. */
export interface PreparedWorkspace {
  workspace: string
  env: Record<string, string>
  outputFile: string
}

/**
 * Prepares a job on a worker: a checkout of the run's commit (once per run and worker, shared by
 * its stages here), the needs' artifacts fetched from the shared blobs under
 * `$PIPEWRIGHT_ARTIFACTS_DIR/<need>/`, and the job's environment pointed at both. Without a commit
 * (a pipeline outside git) the job runs in the coordinator's directory, which must then be
 * reachable from this host.
 */
export class Workspaces {
  private readonly checkouts = new Map<string, Promise<string>>()

  constructor(
    private readonly root: string,
    private readonly blobs: BlobStore | undefined,
  ) {}

  async prepare(job: StageJob): Promise<PreparedWorkspace> {
    const base = join(this.root, safeName(job.runId))
    let workspace = job.workspace
    if (job.source) {
      const checkout = await this.checkout(job, base)
      workspace = inside(checkout, relative(job.source.root, job.workspace), 'Stage directory')
    } else if (!existsSync(workspace)) {
      throw new PipewrightError('PW_ERR_STAGE_FAILED', `Stage ${job.stageId}: its directory ${workspace} is not on this worker, and the pipeline is not in a git repository to check out`, {
        details: 'Commit the pipeline to git (workers check out the run\'s commit), or run the worker on the host (or a shared path) that has the directory.',
      })
    }
    const artifactsDir = join(base, 'artifacts')
    for (const [need, artifacts] of Object.entries(job.needsArtifacts ?? {})) await this.fetch(artifacts, join(artifactsDir, safeName(need)))
    await mkdir(join(base, 'out'), { recursive: true })
    await mkdir(artifactsDir, { recursive: true })
    return {
      workspace,
      env: { ...job.env, PIPEWRIGHT_WORKSPACE: workspace, PIPEWRIGHT_ARTIFACTS_DIR: artifactsDir },
      outputFile: join(base, 'out', `${safeName(job.stageId)}-${job.attempt}.out`),
    }
  }

  /** Writes stored artifacts under `root` at their paths, from the shared blobs. */
  async fetch(artifacts: readonly StoredArtifact[], root: string): Promise<void> {
    for (const artifact of artifacts) {
      const content = await this.blobs?.get(artifact.digest)
      if (content === undefined) {
        throw new PipewrightError('PW_ERR_STORE', `Artifact ${artifact.path} (${artifact.digest}) is not in the shared store`, {
          details: 'Workers need a store every host reaches: start the coordinator and the workers with the same --store postgres://…',
        })
      }
      const target = inside(root, artifact.path, 'Artifact')
      await mkdir(dirname(target), { recursive: true })
      await writeFile(target, content)
    }
  }

  private checkout(job: StageJob, base: string): Promise<string> {
    const source = job.source!
    const key = `${job.runId}@${source.sha}`
    let pending = this.checkouts.get(key)
    if (!pending) {
      const dir = join(base, 'src')
      pending = (async () => {
        if (!existsSync(join(dir, '.git'))) {
          await mkdir(base, { recursive: true })
          await git(base, ['clone', '--quiet', '--no-checkout', source.repo, dir])
        }
        // The sha is passed as an argument after `--detach`, never through a shell.
        await git(dir, ['checkout', '--quiet', '--force', '--detach', source.sha])
        return dir
      })()
      pending.catch(() => this.checkouts.delete(key))
      this.checkouts.set(key, pending)
    }
    return pending
  }
}
