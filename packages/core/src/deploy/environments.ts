import { execFile } from 'node:child_process'
import { PipewrightError } from '@pipewright/plugin-api'
import type { DeploymentRecord, EnvironmentLockState, HealthRecord, Store } from '@pipewright/store-api'
import type { EnvironmentSpec } from '../pipeline/environment-schema.js'
import type { PipelineSpec } from '../pipeline/schema.js'
import { didYouMean } from '../pipeline/suggest.js'
import type { DeployedEnvironmentStatus } from './deployer.js'
import { getEnvironmentLatch, type EnvironmentLatch } from './latch.js'

/** One environment as `pipewright envs` shows it: what the records say, what the deployer sees, who holds the lock. */
export interface EnvironmentOverview {
  name: string
  url: string
  target: string
  protection?: { approvals: number; branches?: string[]; freeze: number; allowSelfApproval: boolean }
  /** The deployment serving now, by the records: the newest that succeeded and was not rolled back. */
  current?: DeploymentRecord
  /** The newest deployment, whatever its outcome. */
  last?: DeploymentRecord
  /** What the deployer reports, when it can tell (the agent runs). */
  live?: DeployedEnvironmentStatus
  lock: EnvironmentLockState
  /** Set after an automatic rollback: deploys are refused until acknowledged (`ack` says who did). */
  latch?: EnvironmentLatch
  /** The newest health verdict (verification, analysis, continuous monitoring) and the newest samples. */
  health: { verdict?: HealthRecord; samples: HealthRecord[] }
}

/** Health samples `describeEnvironments` keeps per environment. */
export const OVERVIEW_SAMPLES = 5

/** The environment a name refers to, or PW_ERR_ENVIRONMENT_NOT_FOUND naming the declared ones. */
export function environmentOf(spec: PipelineSpec, name: string): EnvironmentSpec {
  const env = spec.environments?.[name]
  if (env) return env
  const names = Object.keys(spec.environments ?? {})
  throw new PipewrightError('PW_ERR_ENVIRONMENT_NOT_FOUND', `The pipeline ${spec.name} declares no environment "${name}".${didYouMean(name, names)}`, {
    details: names.length > 0 ? `Its environments: ${names.join(', ')}.` : 'Declare environments under `environments:` in the pipeline file.',
  })
}

/** The deployment an environment runs by its records, or undefined. */
export async function currentDeployment(store: Store, environment: string): Promise<DeploymentRecord | undefined> {
  return (await store.listDeployments({ environment, outcome: 'succeeded', limit: 1 }))[0]
}

/** Every environment the pipeline declares, with its records, its lock and (given a status) its live state. */
export async function describeEnvironments(store: Store, spec: PipelineSpec, live?: DeployedEnvironmentStatus[]): Promise<EnvironmentOverview[]> {
  return Promise.all(
    Object.entries(spec.environments ?? {}).map(async ([name, env]) => {
      const [current, [last], lock, latch, [verdict], samples] = await Promise.all([
        currentDeployment(store, name),
        store.listDeployments({ environment: name, limit: 1 }),
        store.getEnvironmentLock(name),
        getEnvironmentLatch(store, name),
        store.listHealthRecords({ environment: name, kind: 'verdict', limit: 1 }),
        store.listHealthRecords({ environment: name, kind: 'sample', limit: OVERVIEW_SAMPLES }),
      ])
      const status = live?.find((e) => e.name === name)
      const p = env.protection
      return {
        name,
        url: env.url,
        target: env.target.uses,
        ...(p ? { protection: { approvals: p.approvals, ...(p.branches ? { branches: p.branches } : {}), freeze: p.freeze?.length ?? 0, allowSelfApproval: p['allow-self-approval'] } } : {}),
        ...(current ? { current } : {}),
        ...(last ? { last } : {}),
        ...(status ? { live: status } : {}),
        lock,
        ...(latch ? { latch } : {}),
        health: { ...(verdict ? { verdict } : {}), samples },
      }
    }),
  )
}

export interface CommitLine {
  sha: string
  author: string
  subject: string
}

export interface EnvironmentDiff {
  from: { environment: string; deployment: DeploymentRecord }
  to: { environment: string; deployment: DeploymentRecord }
  /** Commits `from` runs that `to` does not (what promoting from → to brings), newest first. */
  ahead: CommitLine[]
  /** Commits `to` runs that `from` does not. */
  behind: CommitLine[]
}

function gitLog(dir: string, range: string): Promise<CommitLine[]> {
  return new Promise((resolve, reject) => {
    // argv, never a shell: the shas come from records, and records come from runs.
    execFile('git', ['log', '--format=%H%x1f%an%x1f%s', range, '--'], { cwd: dir, timeout: 20_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }, (error, stdout, stderr) => {
      if (error) {
        reject(new PipewrightError('PW_ERR_COMMIT_NOT_FOUND', `git log ${range} failed in ${dir}: ${(stderr || error.message).trim().split('\n')[0]}`, { details: 'Fetch the commits both environments run into this repository, then try again.' }))
        return
      }
      resolve(stdout.split('\n').filter(Boolean).map((line) => {
        const [sha = '', author = '', subject = ''] = line.split('\x1f')
        return { sha, author, subject }
      }))
    })
  })
}

/** The commits between what two environments run, by their deployment records and the repository at `dir`. */
export async function diffEnvironments(store: Store, dir: string, from: string, to: string): Promise<EnvironmentDiff> {
  const pick = async (environment: string) => {
    const deployment = await currentDeployment(store, environment)
    if (!deployment) throw new PipewrightError('PW_ERR_ENVIRONMENT_NOT_FOUND', `${environment} has no successful deployment on record`, { details: `Deploy to ${environment} first; \`pipewright history ${environment}\` lists its deployments.` })
    if (!deployment.commit || !/^[0-9a-f]{7,64}$/.test(deployment.commit)) {
      throw new PipewrightError('PW_ERR_COMMIT_NOT_FOUND', `The deployment ${deployment.id} of ${environment} (${deployment.version}) names no commit`, { details: 'Deployments record the commit of the run that made them: deploy from a git checkout.' })
    }
    return { environment, deployment }
  }
  const [a, b] = await Promise.all([pick(from), pick(to)])
  const [ahead, behind] = await Promise.all([gitLog(dir, `${b.deployment.commit}..${a.deployment.commit}`), gitLog(dir, `${a.deployment.commit}..${b.deployment.commit}`)])
  return { from: a, to: b, ahead, behind }
}
