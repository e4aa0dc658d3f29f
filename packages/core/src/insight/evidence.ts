import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { PipewrightError, type StoredRecord } from '@pipewright/plugin-api'
import type { ApprovalRecord, AuditEntry, DeploymentRecord, RunRecord, StageRecord, Store } from '@pipewright/store-api'

const run = promisify(execFile)

export interface EvidenceCommit {
  sha: string
  author: string
  date: string
  subject: string
}

/** What an auditor needs about one deployment, from the store alone (plus git for the commit list). */
export interface EvidenceBundle {
  format: 'pipewright-evidence/1'
  generatedAt: string
  deployment: DeploymentRecord
  /** The deployment this one replaced in its environment (what served before). */
  previous?: Pick<DeploymentRecord, 'id' | 'version' | 'commit' | 'finishedAt'>
  run?: Pick<RunRecord, 'id' | 'pipeline' | 'status' | 'trigger' | 'triggeredBy' | 'branch' | 'sha' | 'createdAt' | 'finishedAt'> & { vars: string[]; secrets: string[] }
  /** Commits since the previous deployment's commit (`git log`), or why they could not be listed. */
  commits: EvidenceCommit[]
  commitsNote?: string
  stages: Array<Pick<StageRecord, 'stageId' | 'status' | 'durationMs' | 'summary'> & { gates: Array<{ gate: string; verdict: string; reason: string }> }>
  tests: Array<{ stageId: string; total: number; passed: number; failed: number; skipped: number; flaky: number; coverage?: number; failures: string[] }>
  lint: Array<{ stageId: string; tool: string; errors: number; warnings: number; notes: number }>
  images: Array<{ stageId: string; refs: Array<{ ref: string; digest: string }> }>
  provenance: Array<{ stageId: string; statement: unknown }>
  approvals: ApprovalRecord[]
  /** How the deployment ended and what checked it (deploy-stage gates, the outcome, the error). */
  verification: { outcome: DeploymentRecord['outcome']; rolledBackBy?: string; error?: string; gates: Array<{ gate: string; verdict: string; reason: string }> }
  audit: AuditEntry[]
}

/** Finds a deployment by id or unique id prefix. */
export async function findDeployment(store: Store, ref: string): Promise<DeploymentRecord> {
  const exact = await store.getDeployment(ref)
  if (exact) return exact
  const matches = ref.length >= 6 ? (await store.listDeployments()).filter((d) => d.id.startsWith(ref)) : []
  if (matches.length === 1) return matches[0]!
  throw new PipewrightError('PW_ERR_DEPLOYMENT_NOT_FOUND', matches.length > 1 ? `Deployment ${ref} is ambiguous: ${matches.slice(0, 5).map((d) => d.id).join(', ')}` : `Deployment ${ref} is not in the store`)
}

async function records(store: Store, pipeline: string, runId: string, kind: string): Promise<StoredRecord[]> {
  return (await store.findRecords({ pipeline, kind, runId })).reverse()
}

async function gitCommits(dir: string, from: string | undefined, to: string): Promise<{ commits: EvidenceCommit[]; note?: string }> {
  const range = from && from !== to ? [`${from}..${to}`] : ['-1', to]
  try {
    const { stdout } = await run('git', ['log', '--format=%H%x1f%an <%ae>%x1f%aI%x1f%s', ...range, '--'], { cwd: dir, maxBuffer: 16 * 1024 * 1024 })
    const commits = stdout.split('\n').filter(Boolean).map((line) => {
      const [sha, author, date, subject] = line.split('\x1f') as [string, string, string, string]
      return { sha, author, date, subject }
    })
    return { commits }
  } catch (error) {
    return { commits: [], note: `git log in ${dir} failed: ${(error as Error).message.split('\n')[0]}` }
  }
}

const num = (value: unknown): number => (typeof value === 'number' ? value : 0)

/** Gathers the evidence of one deployment: who, what, when, why, and what vouched for it. */
export async function buildEvidence(store: Store, ref: string, now = Date.now()): Promise<EvidenceBundle> {
  const deployment = await findDeployment(store, ref)
  const runRecord = await store.getRun(deployment.runId)
  const earlier = (await store.listDeployments({ environment: deployment.environment, before: { finishedAt: deployment.finishedAt, id: deployment.id } }))
    .find((d) => d.outcome === 'succeeded' && d.id !== deployment.id)
  const stages = runRecord ? await store.getStages(runRecord.id) : []
  const { pipeline, runId } = deployment
  const git = deployment.commit && runRecord ? await gitCommits(runRecord.dir, earlier?.commit, deployment.commit) : { commits: [], note: 'the deployment names no commit' }
  const deployStage = stages.find((s) => s.stageId === deployment.stageId)
  return {
    format: 'pipewright-evidence/1',
    generatedAt: new Date(now).toISOString(),
    deployment,
    ...(earlier ? { previous: { id: earlier.id, version: earlier.version, ...(earlier.commit ? { commit: earlier.commit } : {}), finishedAt: earlier.finishedAt } } : {}),
    ...(runRecord ? { run: summarizeRun(runRecord) } : {}),
    commits: git.commits,
    ...(git.note ? { commitsNote: git.note } : {}),
    stages: stages.map((s) => ({ stageId: s.stageId, status: s.status, ...(s.durationMs !== undefined ? { durationMs: s.durationMs } : {}), ...(s.summary ? { summary: s.summary } : {}), gates: (s.gates ?? []).map(({ gate, verdict, reason }) => ({ gate, verdict, reason })) })),
    tests: (await records(store, pipeline, runId, 'test-runner.results')).map(({ stageId, data }) => {
      const d = data as Record<string, unknown>
      const coverage = (d.coverage as { lines?: number } | undefined)?.lines
      return { stageId, total: num(d.total), passed: num(d.passed), failed: num(d.failed), skipped: num(d.skipped), flaky: num(d.flaky), ...(coverage !== undefined ? { coverage } : {}), failures: ((d.failures as Array<{ id: string }> | undefined) ?? []).map((f) => f.id) }
    }),
    lint: (await records(store, pipeline, runId, 'linter.problems')).map(({ stageId, data }) => {
      const d = data as Record<string, unknown>
      return { stageId, tool: String(d.tool ?? 'linter'), errors: num(d.errors), warnings: num(d.warnings), notes: num(d.notes) }
    }),
    images: (await records(store, pipeline, runId, 'docker.push')).map(({ stageId, data }) => ({ stageId, refs: (data as { refs?: Array<{ ref: string; digest: string }> }).refs ?? [] })),
    provenance: (await records(store, pipeline, runId, 'docker.provenance')).map(({ stageId, data }) => ({ stageId, statement: data })),
    approvals: await store.listApprovals(runId, deployment.stageId),
    verification: {
      outcome: deployment.outcome,
      ...(deployment.rolledBackBy ? { rolledBackBy: deployment.rolledBackBy } : {}),
      ...(deployment.error ? { error: `${deployment.error.code}: ${deployment.error.message}` } : {}),
      gates: (deployStage?.gates ?? []).map(({ gate, verdict, reason }) => ({ gate, verdict, reason })),
    },
    audit: await store.listAudit({ runId }),
  }
}

function summarizeRun(r: RunRecord): NonNullable<EvidenceBundle['run']> {
  return {
    id: r.id, pipeline: r.pipeline, status: r.status, createdAt: r.createdAt,
    ...(r.trigger ? { trigger: r.trigger } : {}), ...(r.triggeredBy ? { triggeredBy: r.triggeredBy } : {}),
    ...(r.branch ? { branch: r.branch } : {}), ...(r.sha ? { sha: r.sha } : {}), ...(r.finishedAt ? { finishedAt: r.finishedAt } : {}),
    vars: Object.keys(r.options.vars ?? {}).sort(), secrets: [...(r.options.secretNames ?? [])].sort(),
  }
}
