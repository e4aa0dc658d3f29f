import { randomBytes } from 'node:crypto'
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { InstanceHandle, ReleaseSource } from '@pipewright/plugin-api'
import type { DeploymentResult, EnvironmentSpec, InstanceInfo, StrategyKind, TargetRef } from './protocol.js'

/** A version as deployed: enough to start it again without the build that produced it. */
export interface ReleaseRecord {
  version: string
  /** What the target's `prepare` returned (the release copy, the image id). */
  release: ReleaseSource
  target: TargetRef
  strategy: StrategyKind | 'switch-back'
  deployedAt: number
}

/** An instance as persisted: its handle plus what the agent knows about it. */
export interface InstanceRecord {
  id: string
  version: string
  role: InstanceInfo['role']
  release: ReleaseSource
  target: TargetRef
  handle: InstanceHandle
  restarts: number
  failed?: string
}

/** Everything the agent keeps about one environment, written after every change. */
export interface EnvironmentState {
  format: 1
  spec: EnvironmentSpec
  /** Set by `agent stop --all`: the environment is not restored until it is deployed again. */
  stopped?: boolean
  current?: ReleaseRecord
  previous?: ReleaseRecord
  /** The last good state: the instances serving (and those kept for a quick rollback). */
  instances: InstanceRecord[]
  /** Instances an unfinished operation started; a restarted agent stops them. */
  pending: InstanceRecord[]
  /** Versions deployed here, newest first, for `rollback --to`. */
  releases: ReleaseRecord[]
  history: DeploymentResult[]
}

/** Reads and writes `<dir>/<environment>.json`, atomically (temp file, fsync, rename). */
export class StateFiles {
  private readonly writes = new Map<string, Promise<void>>()

  constructor(readonly dir: string) {}

  file(environment: string): string {
    return join(this.dir, `${environment}.json`)
  }

  async readAll(): Promise<EnvironmentState[]> {
    const names = await readdir(this.dir).catch(() => [] as string[])
    const states: EnvironmentState[] = []
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      try {
        states.push(JSON.parse(await readFile(join(this.dir, name), 'utf8')) as EnvironmentState)
      } catch {
        // A file that does not parse was not written by this agent's atomic writer; leave it for a human.
      }
    }
    return states
  }

  /** Writes one environment's state; writes of one environment are serialized, the last one wins. */
  write(state: EnvironmentState): Promise<void> {
    const file = this.file(state.spec.name)
    const content = `${JSON.stringify(state, null, 2)}\n`
    const previous = this.writes.get(file) ?? Promise.resolve()
    const next = previous.catch(() => undefined).then(() => writeAtomically(file, content))
    this.writes.set(file, next)
    return next
  }

  async remove(environment: string): Promise<void> {
    await (this.writes.get(this.file(environment)) ?? Promise.resolve()).catch(() => undefined)
    await rm(this.file(environment), { force: true })
  }
}

export async function writeAtomically(file: string, content: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`
  const handle = await open(tmp, 'w', 0o600)
  try {
    await handle.writeFile(content)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(tmp, file)
}
