import { createStageContext, type StageContextOptions, type TestStageContext } from '@pipewright/testing'
import type { DockerPluginConfig } from '../../src/schemas.js'

/**
 * A docker stage's context (id `build` unless given; pass `plugin` from `loadTestPlugin` for its
 * config and DOCKER_CLIENT). Nothing is redacted, so tests see what the plugin itself logged.
 */
export function createTestStage(options: StageContextOptions<DockerPluginConfig> & { workspace: string }): TestStageContext<DockerPluginConfig> {
  return createStageContext<DockerPluginConfig>({ stageId: 'build', pipelineName: 'docker-test', redact: false, ...options })
}

const messages = (ctx: TestStageContext<unknown>, debug: boolean): string[] =>
  ctx.captured.lines.filter((l) => l.level !== undefined && (l.level === 'debug') === debug).map((l) => l.message ?? l.line)

/** Messages the stage logged at info level and above, in order (without fields). */
export const logsOf = (ctx: TestStageContext<unknown>): string[] => messages(ctx, false)
/** Messages the stage logged at debug level. */
export const debugOf = (ctx: TestStageContext<unknown>): string[] => messages(ctx, true)
