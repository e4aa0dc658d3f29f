import { createColors } from 'picocolors'
import { stripVTControlCharacters } from 'node:util'

/** A stream the CLI writes to; `isTTY`/`columns` decide between the live view and plain lines. */
export interface OutputStream {
  write(chunk: string): boolean
  isTTY?: boolean
  columns?: number
}

/** Where the CLI reads and writes: the process by default, replaceable for embedding. */
export interface CliIo {
  stdout: OutputStream
  stderr: OutputStream
  env: Record<string, string | undefined>
  cwd: string
}

export type Colors = ReturnType<typeof createColors>

export function processIo(): CliIo {
  if (process.stdout.isTTY) return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }
  // Into a file or a pipe every write is a system call (pipes are synchronous on Linux): gather
  // what one turn of the event loop prints into one write. stderr writes flush stdout first, so
  // the two keep their order.
  const stdout = bufferedOutput(process.stdout)
  const stderr: OutputStream = {
    write: (chunk) => (stdout.flush(), process.stderr.write(chunk)),
    isTTY: process.stderr.isTTY,
    columns: process.stderr.columns,
  }
  return { stdout, stderr, env: process.env, cwd: process.cwd() }
}

const FLUSH_BYTES = 64 * 1024

/** An output stream that writes what it is given at most once per turn of the event loop. */
export function bufferedOutput(stream: NodeJS.WriteStream): OutputStream & { flush(): void } {
  let pending = ''
  let scheduled = false
  const flush = () => {
    scheduled = false
    if (pending === '') return
    const chunk = pending
    pending = ''
    stream.write(chunk)
  }
  // Whatever is still gathered when the process ends (exit codes, a closing summary) goes out.
  process.once('exit', flush)
  return {
    write(chunk) {
      pending += chunk
      if (pending.length >= FLUSH_BYTES) flush()
      else if (!scheduled) {
        scheduled = true
        setImmediate(flush)
      }
      return true
    },
    flush,
    isTTY: stream.isTTY,
    columns: stream.columns,
  }
}

/** CI logs are read later as text: no cursor tricks there, even if a pseudo-terminal is attached. */
export function isInteractive(io: CliIo, stream: OutputStream = io.stdout): boolean {
  const ci = io.env.CI
  return stream.isTTY === true && !(ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0')
}

export function colorsFor(io: CliIo, stream: OutputStream = io.stdout): Colors {
  if (io.env.NO_COLOR) return createColors(false)
  if (io.env.FORCE_COLOR && io.env.FORCE_COLOR !== '0') return createColors(true)
  return createColors(stream.isTTY === true && io.env.TERM !== 'dumb')
}

/** Writes one line (a newline is added). */
export function println(stream: OutputStream, line = ''): void {
  stream.write(`${line}\n`)
}

/**
 * The stream as commands see it. Stage output keeps the colour and cursor codes its tools printed
 * (the store keeps them, for views that render them); a file or a pipe would get them as noise,
 * so there they are stripped — unless FORCE_COLOR asks for colour. JSON output is unaffected:
 * JSON.stringify escapes control characters.
 */
export function displayStream(io: CliIo, stream: OutputStream): OutputStream {
  if (stream.isTTY === true || colorsFor(io, stream).isColorSupported) return stream
  return {
    write: (chunk: string) => stream.write(stripVTControlCharacters(chunk)),
    isTTY: stream.isTTY,
    columns: stream.columns,
  }
}
