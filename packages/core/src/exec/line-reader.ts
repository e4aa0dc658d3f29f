import { StringDecoder } from 'node:string_decoder'

/** A longer line is passed on in pieces of at most this many characters. */
export const MAX_LINE_CHARS = 64 * 1024

/** Ends a piece whose line goes on in the next piece, and starts that next piece. */
export const CONTINUATION_MARK = '…'

/** Where to cut `text` (longer than `max`) at or before `max`; see splitPointFor in redact.ts. */
export type SplitPoint = (text: string, max: number) => number

/** Prefer to cut after a blank or punctuation among the last characters allowed, else at `max`. */
export const softSplitPoint: SplitPoint = (text, max) => {
  for (let i = max; i > max - 256 && i > 1; i--) {
    if (/[\s,;&|()[\]{}<>"']/.test(text[i - 1]!)) return i
  }
  return max
}

/**
 * What a split point that never cuts a secret needs to know, as plain data (it crosses to the
 * process that spawns stage commands): the redactor's pattern and its longest form.
 */
export interface SplitPattern {
  source: string
  longest: number
}

/** A split point that cuts before (or after) any match of `pattern` that would straddle the cut. */
export function splitPointFromPattern(pattern: SplitPattern | undefined): SplitPoint {
  if (!pattern) return softSplitPoint
  let re: RegExp | undefined
  return (text, max) => {
    re ??= new RegExp(pattern.source, 'g')
    const cut = softSplitPoint(text, max)
    const from = Math.max(0, cut - pattern.longest)
    const window = text.slice(from, cut + pattern.longest)
    for (const m of window.matchAll(re)) {
      const start = from + m.index
      const end = start + m[0].length
      if (start < cut && cut < end) return start > 0 ? start : Math.min(end, max)
    }
    return cut
  }
}

/**
 * Turns a byte stream into lines, in time and memory proportional to the input: UTF-8 is
 * decoded across chunk boundaries, `\n` and `\r\n` end a line, a lone `\r` (a progress bar
 * redrawing itself) starts the line over so only its last state is kept, and a line longer than
 * `max` characters is passed on in pieces marked with CONTINUATION_MARK.
 */
export class LineReader {
  private readonly decoder = new StringDecoder('utf8')
  private partial = ''
  /** The current line continues a piece already passed on. */
  private continued = false
  /** A lone `\r` was seen: the next text replaces the line. */
  private overwrite = false
  /** The text so far ended with `\r`: whether it is a lone one depends on the next character. */
  private pendingCR = false

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly splitPoint: SplitPoint = softSplitPoint,
    private readonly max = MAX_LINE_CHARS,
  ) {}

  /** Reads a chunk; returns it decoded. */
  push(chunk: Buffer): string {
    const text = this.decoder.write(chunk)
    this.scan(text)
    return text
  }

  /** The stream ended: passes on the last line if it had no newline; returns the last decoded text. */
  end(): string {
    const text = this.decoder.end()
    this.scan(text)
    if (this.partial !== '' || this.continued) this.endLine()
    this.pendingCR = false
    return text
  }

  private scan(text: string): void {
    let i = 0
    if (text.length > 0 && this.pendingCR) {
      this.pendingCR = false
      if (text[0] === '\n') {
        this.endLine()
        i = 1
      } else {
        this.overwrite = true
      }
    }
    const breaks = /[\r\n]/g
    while (i < text.length) {
      breaks.lastIndex = i
      const j = breaks.exec(text)?.index ?? -1
      if (j !== i) this.append(text.slice(i, j === -1 ? text.length : j))
      if (j === -1) return
      if (text[j] === '\n' || text[j + 1] === '\n') {
        this.endLine()
        i = text[j] === '\n' ? j + 1 : j + 2
      } else if (j + 1 === text.length) {
        this.pendingCR = true
        return
      } else {
        this.overwrite = true
        i = j + 1
      }
    }
  }

  private append(piece: string): void {
    if (this.overwrite) {
      this.partial = ''
      this.overwrite = false
    }
    let text = this.partial + piece
    while (text.length > this.max) {
      let cut = Math.min(this.max, Math.max(1, this.splitPoint(text, this.max)))
      // Never between the two halves of a surrogate pair.
      if (/[\uD800-\uDBFF]/.test(text[cut - 1]!) && cut > 1) cut--
      this.onLine(`${this.continued ? CONTINUATION_MARK : ''}${text.slice(0, cut)}${CONTINUATION_MARK}`)
      this.continued = true
      text = text.slice(cut)
    }
    this.partial = text
  }

  private endLine(): void {
    this.onLine(this.continued ? CONTINUATION_MARK + this.partial : this.partial)
    this.partial = ''
    this.continued = false
    this.overwrite = false
  }
}
