/**
 * Where a `${{ }}` stands in a POSIX sh script, so that the reference to its environment variable
 * can be quoted to arrive as one unchanged word. The answer only chooses quotes around a
 * reference (see shell-template.ts): a wrong answer can split or mis-quote a value, never run it.
 */
export type ShellContext = 'unquoted' | 'double' | 'single' | 'heredoc' | 'comment'

/** A context, or why a value cannot be placed there at all. */
export type Placement = { context: ShellContext } | { refused: string }

interface Span {
  start: number
  end: number
}

type Frame =
  | { kind: 'cmd'; close: ')' | '`' | undefined; parens: number }
  | { kind: 'double' }
  | { kind: 'single' }
  | { kind: 'comment' }
  | { kind: 'param'; braces: number; inDouble: boolean }
  | { kind: 'heredoc'; delimiter: string; quoted: boolean; stripTabs: boolean }

type Heredoc = Extract<Frame, { kind: 'heredoc' }>

const BLANK_OR_OPERATOR = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>'])

const REFUSED_QUOTED_HEREDOC = "is inside a quoted here-document (<<'EOF'), which the shell never expands"
const REFUSED_ESCAPED = 'follows a backslash, which would escape the reference to its value'
const REFUSED_DELIMITER = 'is part of a here-document delimiter'

/**
 * A small sh lexer: quotes, backslashes, comments, `$( )`, backquotes, `${ }` and here-documents
 * (several per line, `<<-`, quoted delimiters). Expressions are opaque: their own text is never
 * lexed, so quotes inside `${{ }}` cannot change the state. Known gap: a `case` pattern's `)`
 * inside `$( )` ends the substitution early.
 */
class ShellLexer {
  readonly placements = new Map<number, Placement>()
  private readonly stack: Frame[] = [{ kind: 'cmd', close: undefined, parens: 0 }]
  private readonly pending: Heredoc[] = []
  private wordStart = true
  private i = 0

  constructor(
    private readonly text: string,
    private readonly spans: Map<number, Span>,
  ) {}

  run(): void {
    while (this.i < this.text.length) {
      const span = this.spans.get(this.i)
      if (span) {
        this.placements.set(span.start, this.placementHere())
        this.i = span.end
        this.wordStart = false
      } else {
        this.step(this.top)
      }
    }
  }

  private get top(): Frame {
    return this.stack[this.stack.length - 1]!
  }

  private placementHere(): Placement {
    const frame = this.top
    switch (frame.kind) {
      case 'cmd':
        return { context: 'unquoted' }
      case 'param':
        return { context: frame.inDouble ? 'double' : 'unquoted' }
      case 'heredoc':
        return frame.quoted ? { refused: REFUSED_QUOTED_HEREDOC } : { context: 'heredoc' }
      default:
        return { context: frame.kind }
    }
  }

  private step(frame: Frame): void {
    const ch = this.text[this.i]!
    if (frame.kind === 'single') {
      if (ch === "'") this.stack.pop()
    } else if (frame.kind === 'comment') {
      if (ch === '\n') {
        this.stack.pop()
        return // the newline ends the command too: the enclosing frame reads it
      }
    } else if (ch === '\\' && !(frame.kind === 'heredoc' && frame.quoted)) {
      this.escape()
      return
    } else if (frame.kind === 'cmd') {
      this.stepCommand(frame, ch)
      return
    } else if (frame.kind === 'heredoc') {
      if (ch === '\n') {
        this.i++
        this.bodyLine()
        return
      }
      if (!frame.quoted) this.substitution(ch, true)
    } else if (frame.kind === 'double') {
      if (ch === '"') this.stack.pop()
      else this.substitution(ch, true)
    } else if (ch === '}' && --frame.braces === 0) {
      this.stack.pop()
    } else if (ch === '{') {
      frame.braces++
    } else if (ch === '"') {
      this.stack.push({ kind: 'double' })
    } else if (ch === "'" && !frame.inDouble) {
      this.stack.push({ kind: 'single' })
    } else {
      this.substitution(ch, frame.inDouble)
    }
    this.i++
  }

  /** A backslash: escapes the next character, or joins lines; one before an expression is refused. */
  private escape(): void {
    const next = this.i + 1
    const span = this.spans.get(next)
    if (span) this.placements.set(span.start, { refused: REFUSED_ESCAPED })
    this.i = span ? span.end : next + 1
    this.wordStart = false
  }

  /** `$(`, `${` or a backquote opening a nested context; returns false for any other character. */
  private substitution(ch: string, inDouble: boolean): boolean {
    const next = this.text[this.i + 1]
    const frame = this.top
    if (ch === '`' && frame.kind === 'cmd' && frame.close === '`') {
      this.stack.pop()
      this.wordStart = false
    } else if (ch === '`') {
      this.stack.push({ kind: 'cmd', close: '`', parens: 0 })
      this.wordStart = true
    } else if (ch === '$' && next === '(') {
      this.stack.push({ kind: 'cmd', close: ')', parens: 0 })
      this.wordStart = true
      this.i++
    } else if (ch === '$' && next === '{') {
      this.stack.push({ kind: 'param', braces: 1, inDouble })
      this.i++
    } else {
      return false
    }
    return true
  }

  private stepCommand(frame: Extract<Frame, { kind: 'cmd' }>, ch: string): void {
    const wordStart = this.wordStart
    this.wordStart = BLANK_OR_OPERATOR.has(ch)
    if (ch === "'") this.stack.push({ kind: 'single' })
    else if (ch === '"') this.stack.push({ kind: 'double' })
    else if (ch === '#' && wordStart) this.stack.push({ kind: 'comment' })
    else if (ch === '(') frame.parens++
    else if (ch === ')' && frame.parens > 0) frame.parens--
    else if (ch === ')' && frame.close === ')') {
      this.stack.pop()
      this.wordStart = false // `$(…)#x` is one word: the # starts no comment
    }
    else if (ch === '<' && this.text.startsWith('<<', this.i) && this.text[this.i + 2] !== '<') {
      this.i = this.heredocOperator(this.i + 2)
      return
    } else if (ch === '\n' && this.pending.length > 0) {
      this.i++
      this.bodyLine()
      return
    } else this.substitution(ch, false)
    this.i++
  }

  /** Reads `[-] word` after `<<`, queueing the here-document whose body starts after the next newline. */
  private heredocOperator(from: number): number {
    let i = from
    const stripTabs = this.text[i] === '-'
    if (stripTabs) i++
    while (this.text[i] === ' ' || this.text[i] === '\t') i++
    let delimiter = ''
    let quoted = false
    let quote: string | undefined
    for (; i < this.text.length; i++) {
      const span = this.spans.get(i)
      if (span) {
        this.placements.set(span.start, { refused: REFUSED_DELIMITER })
        i = span.end - 1
        continue
      }
      const ch = this.text[i]!
      if (quote) {
        if (ch === quote) quote = undefined
        else delimiter += ch
      } else if (ch === "'" || ch === '"') {
        quote = ch
        quoted = true
      } else if (ch === '\\') {
        quoted = true
        if (!this.spans.has(i + 1)) delimiter += this.text[++i] ?? ''
      } else if (BLANK_OR_OPERATOR.has(ch)) {
        break
      } else {
        delimiter += ch
      }
    }
    if (delimiter !== '' || quoted) this.pending.push({ kind: 'heredoc', delimiter, quoted, stripTabs })
    this.wordStart = false
    return i
  }

  /**
   * At the start of a line while here-documents are open or queued: a delimiter line ends the
   * current body (and starts the next queued one); otherwise the line belongs to the body.
   */
  private bodyLine(): void {
    for (;;) {
      const frame = this.top
      const current = frame.kind === 'heredoc' ? frame : this.pending.shift()
      if (!current) return
      if (current !== frame) this.stack.push(current)
      const lineEnd = this.text.indexOf('\n', this.i)
      const end = lineEnd === -1 ? this.text.length : lineEnd
      if (!this.isDelimiterLine(this.i, end, current)) return
      this.stack.pop()
      this.i = Math.min(end + 1, this.text.length)
      this.wordStart = true
      if (this.pending.length === 0) return
    }
  }

  private isDelimiterLine(start: number, end: number, heredoc: Heredoc): boolean {
    for (const at of this.spans.keys()) if (at >= start && at < end) return false
    const line = this.text.slice(start, end)
    return (heredoc.stripTabs ? line.replace(/^\t+/, '') : line) === heredoc.delimiter
  }
}

/** The placement of each expression in `script`, by its start offset. */
export function placeExpressions(script: string, spans: Span[]): Map<number, Placement> {
  const lexer = new ShellLexer(script, new Map(spans.map((s) => [s.start, s])))
  lexer.run()
  return lexer.placements
}
