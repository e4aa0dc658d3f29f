import { AnsiUp } from 'ansi_up'
import type { LogLine } from './types.js'

const converters = new Map<string, AnsiUp>()
const html = new WeakMap<LogLine, string>()

/**
 * A log line as HTML: ANSI colours and styles become spans (ansi_up escapes the text itself, so
 * a line can never inject markup). One converter per stage carries colour state across lines in
 * order, and each line is converted once.
 */
export function lineHtml(line: LogLine): string {
  let out = html.get(line)
  if (out !== undefined) return out
  let conv = converters.get(line.stageId)
  if (!conv) {
    conv = new AnsiUp()
    conv.use_classes = true
    converters.set(line.stageId, conv)
  }
  out = conv.ansi_to_html(line.text)
  html.set(line, out)
  return out
}
