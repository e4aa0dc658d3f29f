// The spawner: a small process that starts stage commands for the engine (see spawner.ts) and
// relays their output lines and exit. It loads nothing but the process code.
import { splitPointFromPattern } from './line-reader.js'
import { spawnProcess } from './process.js'
import type { FromSpawner, ToSpawner } from './spawner-protocol.js'

const aborts = new Map<number, AbortController>()
const pending = new Map<number, { stdout: string[]; stderr: string[] }>()
let flushScheduled = false

function send(message: FromSpawner): void {
  // The engine may be gone already (a run shorter than this process's start): nobody to tell.
  if (process.connected) process.send?.(message, undefined, undefined, () => undefined)
}

/** Lines go out in batches, once per turn of the event loop, in the order they came. */
function flush(): void {
  flushScheduled = false
  for (const [id, batch] of pending) {
    if (batch.stdout.length > 0) send({ t: 'lines', id, stream: 'stdout', lines: batch.stdout })
    if (batch.stderr.length > 0) send({ t: 'lines', id, stream: 'stderr', lines: batch.stderr })
  }
  pending.clear()
}

function onLine(id: number, stream: 'stdout' | 'stderr', line: string): void {
  let batch = pending.get(id)
  if (!batch) pending.set(id, (batch = { stdout: [], stderr: [] }))
  batch[stream].push(line)
  if (!flushScheduled) {
    flushScheduled = true
    setImmediate(flush)
  }
}

process.on('message', (message: ToSpawner) => {
  if (message.t === 'abort') {
    aborts.get(message.id)?.abort()
    return
  }
  const { id } = message
  const controller = new AbortController()
  aborts.set(id, controller)
  void spawnProcess({
    command: message.command,
    cwd: message.cwd,
    env: message.env,
    signal: controller.signal,
    ...(message.timeoutMs !== undefined ? { timeoutMs: message.timeoutMs } : {}),
    ...(message.input !== undefined ? { input: message.input } : {}),
    ...(message.capture ? { capture: true } : {}),
    onLine: (stream, line) => onLine(id, stream, line),
    splitPoint: splitPointFromPattern(message.split),
  }).then((result) => {
    aborts.delete(id)
    flush()
    send({ t: 'done', id, result })
  })
})

// The engine went away (exit, crash, kill -9): stop every command it started, then leave.
process.on('disconnect', () => {
  for (const controller of aborts.values()) controller.abort()
  setTimeout(() => process.exit(0), 5000).unref()
  const wait = setInterval(() => {
    if (aborts.size === 0) process.exit(0)
  }, 20)
  wait.unref()
})

send({ t: 'ready' })
