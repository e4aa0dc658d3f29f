import { createStageContext, type StageContextOptions, type TestStageContext } from '@pipewright/testing'

/**
 * The context of a `linter/*` stage (id `lint` unless given). Nothing is redacted, so tests see
 * exactly what the plugin itself logged and stored.
 */
export function lintStage(options: StageContextOptions & { workspace: string }): TestStageContext {
  return createStageContext({ stageId: 'lint', redact: false, ...options })
}
