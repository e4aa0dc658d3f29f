import { join } from 'node:path'
import { PipewrightError, type AttemptOutcome } from '@pipewright/plugin-api'
import type { StageIO, StageJob } from '../exec/executor.js'
import { templateShellScript } from '../exec/shell-template.js'
import { interpolate } from '../expr/index.js'
import { splitPatternOf } from '../security/redact.js'
import { redactError } from './serialize-error.js'
import { createStageContext } from './stage-context.js'
import { resolveConfig } from './resolve-config.js'
import type { StageRun } from './stage-run.js'

/** Where attempt `n` of the stage at plan position `index` writes its outputs. */
export function outputFilePath(scratch: string, index: number, attempt: number): string {
  return join(scratch, `${index}-${attempt}.out`)
}

/** What an executor running the job on another host needs besides the command: the commit, labels, artifacts. */
function remoteFacts(stage: StageRun): Partial<StageJob> {
  const { spec, session } = stage
  const git = session.input.git
  return {
    ...(git ? { source: { root: git.root, repo: git.root, sha: git.sha } } : {}),
    ...(spec['runs-on'] ? { runsOn: spec['runs-on'] } : {}),
    ...(spec.idempotent !== undefined ? { idempotent: spec.idempotent } : {}),
    ...(spec.artifacts?.length ? { artifacts: spec.artifacts } : {}),
    ...(Object.keys(stage.needsArtifacts).length ? { needsArtifacts: stage.needsArtifacts } : {}),
  }
}

/** The job the executor runs for the stage's current attempt (expressions resolved, config validated). */
export function buildJob(stage: StageRun): { job: StageJob; plugin?: StageIO['plugin'] } {
  const { spec, session } = stage
  const base = {
    runId: session.runId,
    stageId: stage.stageId,
    attempt: stage.attempt,
    workspace: stage.workspace,
    env: stage.env,
    ...(spec.timeout !== undefined ? { timeoutMs: spec.timeout } : {}),
    ...remoteFacts(stage),
  }
  if (spec.run !== undefined) {
    const outputFile = outputFilePath(session.input.scratch, stage.index, stage.attempt)
    // A shell script gets expression values through the environment, never as shell code;
    // an argv list has no shell, so values go straight into its arguments.
    if (typeof spec.run === 'string') {
      const shell = templateShellScript(spec.run, (source) => interpolate(`\${{ ${source} }}`, stage.expr))
      return { job: { ...base, env: { ...stage.env, ...shell.env }, action: { kind: 'run', command: shell.script, outputFile } } }
    }
    return { job: { ...base, action: { kind: 'run', command: spec.run.map((a) => interpolate(a, stage.expr)), outputFile } } }
  }
  const type = session.input.host.stages.get(spec.uses!)
  if (!type) throw new PipewrightError('PW_ERR_PLUGIN_NOT_FOUND', `Stage type ${spec.uses} is not provided by any loaded plugin`)
  const config = resolveConfig(type.definition.configSchema, spec.with, stage.expr, `stages.${stage.stageId}.with`)
  const owner = { id: type.pluginId, resolver: session.input.host.resolverFor(type.pluginId), config: type.pluginConfig }
  return {
    job: { ...base, action: { kind: 'uses', uses: spec.uses!, config } },
    plugin: { pluginId: type.pluginId, run: (ctx, cfg) => type.definition.run(ctx, cfg), context: (signal) => createStageContext(session, stage, owner, signal) },
  }
}

/**
 * Runs the stage's current attempt: through a built-in provider that performs it (a deploy),
 * else through the executor. Everything it reports is redacted.
 */
export async function executeAttempt(stage: StageRun): Promise<AttemptOutcome> {
  const { session } = stage
  for (const provider of session.input.hooks.of('attempt')) {
    const done = await provider.attempt!(stage)
    if (done) return done.error ? { ...done, error: redactError(done.error, session.redact) } : done
  }
  const { job, plugin } = buildJob(stage)
  const io: StageIO = {
    signal: stage.signal,
    log: (stream, line) => session.log(stage.stageId, stream, line),
    output: (key, value) => void stage.outputs.set(key, session.redact(value)),
    ...(splitPatternOf(session.redact) ? { splitPattern: splitPatternOf(session.redact)! } : {}),
    ...(plugin ? { plugin } : {}),
  }
  const outcome = await session.input.executor.execute(job, io)
  return outcome.error ? { ...outcome, error: redactError(outcome.error, session.redact) } : outcome
}
