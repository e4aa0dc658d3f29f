/** One label matcher of a selector: `code="500"`, `method!="GET"`, `path=~"/api/.*"`, `le!~"\\+Inf"`. */
export interface LabelMatcher {
  label: string
  op: '=' | '!=' | '=~' | '!~'
  value: string
}

/** A simple series selector: a metric name and label matchers, as in PromQL (`name{label="v"}`). */
export interface SeriesSelector {
  name: string
  matchers: LabelMatcher[]
}

const NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y
const LABEL = /[a-zA-Z_][a-zA-Z0-9_]*/y
const OP = /=~|!~|!=|=/y
const SPACE = /\s*/y

/** Parses `name` or `name{l1="v", l2=~"re", …}`; throws an Error saying where the text is wrong. */
export function parseSelector(text: string): SeriesSelector {
  let pos = 0
  const skip = () => {
    SPACE.lastIndex = pos
    SPACE.exec(text)
    pos = SPACE.lastIndex
  }
  const take = (re: RegExp, what: string): string => {
    skip()
    re.lastIndex = pos
    const m = re.exec(text)
    if (!m) throw new Error(`expected ${what} at position ${pos + 1} of ${JSON.stringify(text)}`)
    pos = re.lastIndex
    return m[0]
  }
  const name = take(NAME, 'a metric name')
  const matchers: LabelMatcher[] = []
  skip()
  if (text[pos] === '{') {
    pos++
    skip()
    while (text[pos] !== '}') {
      const label = take(LABEL, 'a label name')
      const op = take(OP, 'one of = != =~ !~') as LabelMatcher['op']
      skip()
      const value = readQuoted(text, pos)
      pos = value.end
      if (op === '=~' || op === '!~') checkRegex(value.text, label)
      matchers.push({ label, op, value: value.text })
      skip()
      if (text[pos] === ',') {
        pos++
        skip()
      } else if (text[pos] !== '}') {
        throw new Error(`expected , or } at position ${pos + 1} of ${JSON.stringify(text)}`)
      }
    }
    pos++
  }
  skip()
  if (pos !== text.length) throw new Error(`unexpected ${JSON.stringify(text.slice(pos))} after the selector ${JSON.stringify(text.slice(0, pos).trim())}`)
  return { name, matchers }
}

function readQuoted(text: string, start: number): { text: string; end: number } {
  const quote = text[start]
  if (quote !== '"' && quote !== "'") throw new Error(`expected a quoted label value at position ${start + 1} of ${JSON.stringify(text)}`)
  let out = ''
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i]!
    if (c === quote) return { text: out, end: i + 1 }
    if (c === '\\' && i + 1 < text.length) {
      const next = text[++i]!
      out += next === 'n' ? '\n' : next === 't' ? '\t' : next
    } else {
      out += c
    }
  }
  throw new Error(`unterminated label value starting at position ${start + 1} of ${JSON.stringify(text)}`)
}

function checkRegex(source: string, label: string): void {
  try {
    new RegExp(`^(?:${source})$`)
  } catch (error) {
    throw new Error(`label ${label}: invalid regular expression ${JSON.stringify(source)} (${(error as Error).message})`)
  }
}

/** Whether a series' labels satisfy every matcher; a missing label reads as "" (as in PromQL). Regexes are anchored. */
export function matchesLabels(matchers: readonly LabelMatcher[], labels: Readonly<Record<string, string>>): boolean {
  return matchers.every(({ label, op, value }) => {
    const actual = labels[label] ?? ''
    switch (op) {
      case '=': return actual === value
      case '!=': return actual !== value
      case '=~': return new RegExp(`^(?:${value})$`).test(actual)
      case '!~': return !new RegExp(`^(?:${value})$`).test(actual)
    }
  })
}

/** Back to text, for reasons and evidence. */
export function formatSelector(selector: SeriesSelector): string {
  if (selector.matchers.length === 0) return selector.name
  return `${selector.name}{${selector.matchers.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`).join(',')}}`
}
