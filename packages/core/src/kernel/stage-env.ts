import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { PipewrightError } from '@pipewright/plugin-api'
import { interpolate, type ExpressionContext } from '../expr/index.js'
import { confinePath } from '../security/paths.js'
import type { StageRun } from './stage-run.js'

/** What the scheduler knows when a stage starts: the expression context its values come from. */
export type ContextOf = (stage: StageRun, env: Record<string, string>) => ExpressionContext

/**
 * Resolves a stage's environment and working directory: stage `env:` over the pipeline's, then
 * `working-directory` (confined to the pipeline directory, and existing), then the process
 * environment with the `PIPEWRIGHT_*` variables every stage gets.
 */
export async function prepareStageEnvironment(stage: StageRun, pipelineEnv: Record<string, string>, contextOf: ContextOf, knownDirectories: Set<string>): Promise<void> {
  const { spec, session } = stage
  const stageEnv: Record<string, string> = {}
  for (const [k, v] of Object.entries(spec.env ?? {})) stageEnv[k] = interpolate(String(v), contextOf(stage, { ...pipelineEnv, ...stageEnv }))
  const exprEnv = spec.env ? { ...pipelineEnv, ...stageEnv } : pipelineEnv
  stage.expr = contextOf(stage, exprEnv)
  const dir = session.input.pipeline.dir
  const workspace = spec['working-directory'] ? await confinePath(dir, interpolate(spec['working-directory'], stage.expr), 'working-directory') : dir
  if (!knownDirectories.has(workspace)) {
    if (!(await isDirectory(workspace))) {
      throw new PipewrightError('PW_ERR_STAGE_FAILED', `Stage ${stage.stageId}: working-directory ${spec['working-directory'] ?? '.'} does not exist (${workspace})`, {
        details: 'Fix the path (it is relative to the pipeline file), or create the directory in a stage this one needs.',
      })
    }
    knownDirectories.add(workspace)
  }
  stage.workspace = workspace
  stage.env = {
    ...session.input.baseEnv,
    ...exprEnv,
    PIPEWRIGHT: 'true',
    PIPEWRIGHT_RUN_ID: session.runId,
    PIPEWRIGHT_STAGE_ID: stage.stageId,
    PIPEWRIGHT_WORKSPACE: workspace,
    PIPEWRIGHT_ARTIFACTS_DIR: join(session.input.scratch, 'artifacts'),
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory()
  } catch {
    return false
  }
}
