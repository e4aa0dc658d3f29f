import { useEffect, useState } from 'preact/hooks'
import { api } from '../api.js'
import { shortSha } from '../format.js'
import type { RiskAssessment } from '../insight-types.js'

/**
 * The run's deployment risk assessments (from its risk/assess gates): score, decision and each
 * factor's contribution. Asked again when the run's status changes; nothing shown without one.
 */
export function RiskPanel({ runId, status }: { runId: string; status: string }) {
  const [assessments, setAssessments] = useState<RiskAssessment[]>([])
  useEffect(() => {
    let stop = false
    // A server without the insight routes, or a failed request, just shows no panel.
    api.runRisk(runId).then((r) => !stop && setAssessments(r.assessments), () => undefined)
    return () => {
      stop = true
    }
  }, [runId, status])
  return (
    <>
      {assessments.map((a) => (
        <div key={a.stageId} class="card risk" data-risk-stage={a.stageId} data-score={a.score}>
          <h2>
            Risk {a.score}/100 for {a.environment}: <span class={`risk-decision risk-${a.decision}`}>{a.decision}</span>{' '}
            <span class="muted">
              (approval at {a.approvalAt}, block at {a.blockAt}) · stage {a.stageId}
              {a.current ? ` · measured from ${a.current.version}${a.current.commit ? ` @ ${shortSha(a.current.commit)}` : ''}` : ''}
            </span>
          </h2>
          <table>
            <tbody>
              {a.factors.map((f) => (
                <tr key={f.name} data-factor={f.name}>
                  <td class="mono">+{f.contribution}</td>
                  <td><span class="risk-bar" style={{ width: `${f.contribution * 3}px` }} /></td>
                  <td>{f.name}</td>
                  <td class="muted">{f.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </>
  )
}
