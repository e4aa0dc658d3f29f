import { AssertionError } from 'node:assert'
import type { GateVerdict, StageStatus } from '@pipewright/plugin-api'
import type { RunStatus } from '@pipewright/plugin-api'
import type { GateOutcome, PipelineRun } from './run-pipeline.js'

/** Fluent checks on one stage of a finished run; each returns `this` so they chain. */
export interface StageExpectation {
  toHaveStatus(status: StageStatus): StageExpectation
  toHaveOutput(key: string, value?: string | RegExp): StageExpectation
  /** Some log line contains the text or matches the pattern. */
  toHaveLogged(text: string | RegExp): StageExpectation
  /** No log line contains the text (e.g. a secret). */
  notToHaveLogged(text: string | RegExp): StageExpectation
  /** The gate (its `uses:` or name) returned this verdict. */
  toHaveGate(gate: string, verdict: GateVerdict): StageExpectation
}

const matches = (line: string, text: string | RegExp) => (typeof text === 'string' ? line.includes(text) : text.test(line))

function fail(message: string, actual: unknown, expected: unknown, run: PipelineRun, stageId: string): never {
  // The tail of the log is usually what explains a wrong status, so it goes into the message.
  const tail = run.logs(stageId).slice(-15)
  const error = run.result.stages.find((s) => s.id === stageId)?.error
  const extra = [error ? `error: ${error.code}: ${error.message}` : '', tail.length ? `last log lines:\n    ${tail.join('\n    ')}` : ''].filter(Boolean).join('\n  ')
  throw new AssertionError({ message: extra ? `${message}\n  ${extra}` : message, actual, expected, operator: 'strictEqual' })
}

/** The verdict of one gate on a stage, or undefined if it was not evaluated. */
export function getGateVerdict(run: PipelineRun, stageId: string, gate: string): GateOutcome | undefined {
  return run.gates(stageId).find((g) => g.gate === gate)
}

/** Throws unless the stage ended with `status`; the message shows its error and last log lines. */
export function assertStageStatus(run: PipelineRun, stageId: string, status: StageStatus): void {
  const actual = run.stage(stageId).status
  if (actual !== status) fail(`stage ${stageId} is ${actual}, expected ${status}`, actual, status, run, stageId)
}

/** Throws unless the run ended with `status`, naming the stages that did not succeed. */
export function assertRunStatus(run: PipelineRun, status: RunStatus): void {
  if (run.result.status === status) return
  const bad = run.result.stages.filter((s) => s.status !== 'succeeded' && s.status !== 'cached')
  const lines = bad.map((s) => `${s.id}: ${s.status}${s.error ? ` (${s.error.message})` : ''}`)
  throw new AssertionError({ message: `run is ${run.result.status}, expected ${status}${lines.length ? `\n  ${lines.join('\n  ')}` : ''}`, actual: run.result.status, expected: status, operator: 'strictEqual' })
}

/** Fluent assertions on a stage: `expectStage(run, 'build').toHaveStatus('succeeded').toHaveOutput('tag')`. */
export function expectStage(run: PipelineRun, stageId: string): StageExpectation {
  const self: StageExpectation = {
    toHaveStatus(status) {
      assertStageStatus(run, stageId, status)
      return self
    },
    toHaveOutput(key, value) {
      const outputs = run.stage(stageId).outputs
      const actual = outputs[key]
      const ok = actual !== undefined && (value === undefined || (typeof value === 'string' ? actual === value : value.test(actual)))
      if (!ok) fail(`stage ${stageId} output ${key} is ${JSON.stringify(actual)}, expected ${value === undefined ? 'a value' : String(value)}`, outputs, { [key]: value }, run, stageId)
      return self
    },
    toHaveLogged(text) {
      if (!run.logs(stageId).some((l) => matches(l, text))) fail(`stage ${stageId} never logged ${String(text)}`, run.logs(stageId), text, run, stageId)
      return self
    },
    notToHaveLogged(text) {
      const line = run.logs(stageId).find((l) => matches(l, text))
      if (line !== undefined) throw new AssertionError({ message: `stage ${stageId} logged ${String(text)}: ${line}`, actual: line, expected: undefined, operator: 'strictEqual' })
      return self
    },
    toHaveGate(gate, verdict) {
      const outcome = getGateVerdict(run, stageId, gate)
      if (outcome?.verdict !== verdict) {
        const seen = run.gates(stageId).map((g) => `${g.gate}=${g.verdict} (${g.reason})`).join(', ') || 'none'
        fail(`stage ${stageId} gate ${gate} is ${outcome?.verdict ?? 'not evaluated'}, expected ${verdict}; gates: ${seen}`, outcome?.verdict, verdict, run, stageId)
      }
      return self
    },
  }
  return self
}
