import type { RunResult } from '@pipewright/core'
import { colorStatus, formatDuration, statusSymbol } from '../format.js'
import { println, type Colors, type OutputStream } from '../io.js'
import { finishedDetail } from './plain-renderer.js'
import { reasonLines } from './stage-reason.js'

/** The closing block of `pipewright run`: outcome, counts, why each failed stage failed, and where to look next. */
export function printRunSummary(out: OutputStream, c: Colors, result: RunResult): void {
  const counts = new Map<string, number>()
  for (const s of result.stages) counts.set(s.status, (counts.get(s.status) ?? 0) + 1)
  const parts = [...counts].map(([status, n]) => `${n} ${status}`)
  println(out)
  println(out, `${statusSymbol(result.status, c)} ${c.bold(result.pipeline)} ${colorStatus(result.status, c)} in ${formatDuration(result.durationMs)} ${c.dim(`(${parts.join(', ')})`)}`)
  for (const s of result.stages.filter((s) => s.status === 'failed')) {
    const detail = finishedDetail(s)
    println(out, `  ${statusSymbol('failed', c)} ${c.bold(s.id)}${detail}`)
    for (const line of reasonLines(s, detail, c)) println(out, `      ${line}`)
  }
  println(out, c.dim(`run ${result.id} · details: pipewright show ${result.id}${result.status === 'failed' ? ` · logs: pipewright logs ${result.id} <stage>` : ''}`))
  if (result.status === 'cancelled') println(out, c.dim(`resume it: pipewright run --resume ${result.id}`))
}
