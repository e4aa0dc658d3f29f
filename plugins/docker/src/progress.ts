import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'

/** One JSON message of the Engine's build/push/pull progress streams. */
export interface ProgressMessage {
  stream?: string
  status?: string
  id?: string
  progress?: string
  error?: string
  errorDetail?: { code?: number; message?: string }
  aux?: Record<string, unknown>
}

/**
 * Reads a progress stream to its end, calling `onMessage` for each message. Stops at the first
 * error message and returns it (the engine sends nothing useful after one).
 */
export async function readProgress(stream: NodeJS.ReadableStream, onMessage: (message: ProgressMessage) => void): Promise<{ error?: string }> {
  const lines = createInterface({ input: stream as Readable, crlfDelay: Infinity })
  for await (const line of lines) {
    if (!line.trim()) continue
    let message: ProgressMessage
    try {
      message = JSON.parse(line) as ProgressMessage
    } catch {
      // Old engines and proxies sometimes interleave plain text: keep it as output.
      message = { stream: `${line}\n` }
    }
    if (message.error || message.errorDetail) {
      lines.close()
      return { error: message.errorDetail?.message ?? message.error ?? 'unknown error' }
    }
    onMessage(message)
  }
  return {}
}

/**
 * Splits streamed text into whole lines; `flush()` emits a trailing partial line. Build output
 * arrives in arbitrary chunks, but the stage log wants one entry per line.
 */
export function createLineSplitter(onLine: (line: string) => void): { push(text: string): void; flush(): void } {
  let pending = ''
  return {
    push(text) {
      pending += text
      const parts = pending.split(/\r?\n/)
      pending = parts.pop() ?? ''
      for (const part of parts) onLine(part)
    },
    flush() {
      if (pending) onLine(pending)
      pending = ''
    },
  }
}
