import type { InstanceHandle, ReleaseSource } from '@pipewright/plugin-api'
import type { InstanceInfo, TargetRef } from './protocol.js'
import type { InstanceRecord } from './state-file.js'

/** A version's release as an operation starts it: the record plus the target config, validated. */
export interface Release {
  version: string
  release: ReleaseSource
  target: TargetRef
  config: unknown
}

/** One instance the agent manages. */
export interface Slot {
  id: string
  version: string
  role: InstanceInfo['role']
  release: ReleaseSource
  target: TargetRef
  config: unknown
  handle: InstanceHandle
  state: InstanceInfo['state']
  restarts: number
  /** When it crashed, within the supervision window. */
  crashes: number[]
  lastExit?: string
  /** A pending restart (back-off). */
  timer?: NodeJS.Timeout
}

export function slotInfo(slot: Slot): InstanceInfo {
  const h = slot.handle
  return {
    id: slot.id,
    version: slot.version,
    role: slot.role,
    address: `${h.host}:${h.port}`,
    ...(h.pid !== undefined ? { pid: h.pid } : {}),
    ...(h.containerId !== undefined ? { containerId: h.containerId } : {}),
    state: slot.state,
    restarts: slot.restarts,
    ...(slot.lastExit !== undefined ? { lastExit: slot.lastExit } : {}),
    startedAt: h.startedAt,
  }
}

export function slotRecord(slot: Slot): InstanceRecord {
  return {
    id: slot.id,
    version: slot.version,
    role: slot.role,
    release: slot.release,
    target: slot.target,
    handle: slot.handle,
    restarts: slot.restarts,
    ...(slot.state === 'failed' ? { failed: slot.lastExit ?? 'gave up' } : {}),
  }
}
