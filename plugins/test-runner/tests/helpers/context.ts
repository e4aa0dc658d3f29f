import { createStageContext, type StageContextOptions, type TestStageContext } from '@pipewright/testing'

export type TestStageOptions = StageContextOptions & { workspace: string; branch?: string }

/**
 * A test-runner stage's context. Nothing is redacted, so tests see what the plugin itself logged
 * and stored; `branch` becomes the run's git branch, which the records it saves are filed under.
 */
export function testStage({ branch, ...options }: TestStageOptions): TestStageContext {
  const git = branch === undefined ? undefined : { sha: 'f'.repeat(40), shortSha: 'fffffff', branch, message: 'test', author: 'test', root: options.workspace }
  return createStageContext({ redact: false, ...options, ...(git ? { git } : {}) })
}
