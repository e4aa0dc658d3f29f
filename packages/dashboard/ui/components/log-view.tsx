import { memo } from 'preact/compat'
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks'
import { lineHtml } from '../ansi.js'
import type { StageLog } from '../run-state.js'
import type { LogLine } from '../types.js'

const CHUNK = 200

/**
 * A stage's log. Lines are grouped in chunks of 200 memoized on their content, so a new line
 * re-renders only the last chunk; the view follows the tail while it is scrolled to the bottom.
 */
export function LogView({ log, stageId }: { log: StageLog | undefined; stageId: string }) {
  const box = useRef<HTMLDivElement>(null)
  const atBottom = useRef(true)
  const lines = log?.lines ?? []
  const chunks: LogLine[][] = []
  for (let i = 0; i < lines.length; i += CHUNK) chunks.push(lines.slice(i, i + CHUNK))

  useEffect(() => {
    atBottom.current = true
  }, [stageId])
  useLayoutEffect(() => {
    const el = box.current
    if (el && atBottom.current) el.scrollTop = el.scrollHeight
  })
  return (
    <div
      class="log"
      ref={box}
      data-log-stage={stageId}
      onScroll={(e) => {
        const el = e.currentTarget as HTMLDivElement
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24
      }}
    >
      {log && log.dropped > 0 && <div class="log-dropped">{log.dropped} earlier lines are not shown here (the full log stays in the store).</div>}
      {lines.length === 0 && <div class="log-empty">No output yet.</div>}
      {chunks.map((chunk, i) => (
        <LogChunk key={i} lines={chunk} first={(log?.dropped ?? 0) + i * CHUNK} />
      ))}
    </div>
  )
}

const LogChunk = memo(
  function LogChunk({ lines, first }: { lines: LogLine[]; first: number }) {
    return (
      <div class="log-chunk">
        {lines.map((l, i) => (
          <div class={`log-line log-${l.stream}`} key={first + i}>
            <span class="log-no">{first + i + 1}</span>
            <span class="log-text" dangerouslySetInnerHTML={{ __html: lineHtml(l) }} />
          </div>
        ))}
      </div>
    )
  },
  (a, b) => a.first === b.first && a.lines.length === b.lines.length && a.lines[a.lines.length - 1] === b.lines[b.lines.length - 1],
)
