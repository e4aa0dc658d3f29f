import { isUtf8 } from 'node:buffer'
import { basename } from 'node:path'
import { PipewrightError } from '@pipewright/plugin-api'

/** Offset of the first byte that does not start a valid UTF-8 sequence (overlong, surrogate, truncated …), or -1. */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  if (isUtf8(bytes)) return -1
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0
    if (length === 0) return i
    const second = bytes[i + 1] ?? 0
    const [low, high] = b === 0xe0 ? [0xa0, 0xbf] : b === 0xed ? [0x80, 0x9f] : b === 0xf0 ? [0x90, 0xbf] : b === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf]
    if (length > 1 && (second < low || second > high)) return i
    for (let k = 2; k < length; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i
    i += length
  }
  return -1
}

/**
 * The text of a pipeline file, which must be UTF-8: an invalid byte is refused with its offset
 * and line:column rather than silently replaced by U+FFFD.
 */
export function decodePipelineText(bytes: Buffer, file: string): string {
  const offset = invalidUtf8Offset(bytes)
  if (offset === -1) return bytes.toString('utf8')
  const lineStart = bytes.lastIndexOf(0x0a, offset - 1) + 1
  const line = bytes.subarray(0, lineStart).filter((b) => b === 0x0a).length + 1
  const column = [...bytes.subarray(lineStart, offset).toString('utf8')].length + 1
  const message = `not valid UTF-8 at byte ${offset} (0x${bytes[offset]!.toString(16).toUpperCase().padStart(2, '0')})`
  throw new PipewrightError('PW_ERR_CONFIG_INVALID', `${file}:${line}:${column}: ${message}`, {
    details: `Pipewright reads pipeline files as UTF-8 and does not guess other encodings: save ${basename(file)} as UTF-8 (from Latin-1, e.g. \`iconv -f LATIN1 -t UTF-8\`), or remove the byte.`,
    problems: [{ path: '', file, line, column, message, code: 'PW_ERR_CONFIG_INVALID' }],
  })
}
