import { constants } from 'node:fs'
import { mkdir, open } from 'node:fs/promises'
import { dirname, isAbsolute } from 'node:path'
import { PipewrightError, isPipewrightError, type Notification, type NotifierContext, type NotifierDefinition } from '@pipewright/plugin-api'
import { composeMessage, type Message } from '../message.js'
import { FileConfig } from './config.js'
import { confinedFile } from './confine.js'

/** One line of the file (documented in the README). */
export function fileRecord(message: Message): Record<string, unknown> {
  return {
    at: message.createdAt,
    id: message.id,
    event: message.event,
    severity: message.severity,
    title: message.title,
    text: message.text,
    pipeline: message.pipeline,
    ...(message.runId ? { runId: message.runId } : {}),
    ...(message.stageId ? { stageId: message.stageId } : {}),
    ...(message.environment ? { environment: message.environment } : {}),
    ...(message.reason ? { reason: message.reason } : {}),
    ...(message.url ? { url: message.url } : {}),
    fields: message.fields,
  }
}

/**
 * `notification/file`: appends the notification as one JSON line. The line goes out in a single
 * write on a file opened with O_APPEND, so concurrent writers — other notifiers, other runs,
 * other processes — never interleave inside a line.
 */
export async function notifyFile(ctx: NotifierContext, notification: Notification, config: FileConfig): Promise<string> {
  const absolute = isAbsolute(config.path)
  let target: string
  try {
    target = absolute ? config.path : await confinedFile(ctx.pipeline.dir, config.path)
    if (absolute) await mkdir(dirname(target), { recursive: true })
  } catch (error) {
    if (isPipewrightError(error)) throw error
    throw fileError(config.path, error)
  }
  const line = Buffer.from(`${JSON.stringify(fileRecord(composeMessage(ctx, notification)))}\n`, 'utf8')
  // A relative path must not be swapped for a symlink between the check and the open.
  const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (absolute ? 0 : constants.O_NOFOLLOW)
  try {
    const handle = await open(target, flags, 0o644)
    try {
      const { bytesWritten } = await handle.write(line, 0, line.length)
      if (bytesWritten !== line.length) throw new Error(`only ${bytesWritten} of ${line.length} bytes were written (disk full?)`)
    } finally {
      await handle.close()
    }
  } catch (error) {
    throw fileError(config.path, error)
  }
  return target
}

function fileError(path: string, error: unknown): PipewrightError {
  return new PipewrightError('PW_ERR_NOTIFICATION_FILE', `notification/file: cannot append to ${path}: ${(error as Error).message}`, { cause: error })
}

export const fileNotifier: NotifierDefinition<FileConfig> = {
  description: 'Appends the notification as one JSON line to a file (atomic appends).',
  configSchema: FileConfig,
  notify: async (ctx, notification, config) => void (await notifyFile(ctx, notification, config)),
}
