import type { Notification, NotifierContext } from '@pipewright/plugin-api'
import { createStageContext, inspectPlugin, type StageContextOptions, type TestStageContext } from '@pipewright/testing'
import notification from '../../src/index.js'

export type NotifierType = 'webhook' | 'slack' | 'email' | 'file'

/** A notification as the engine will build one for a failed deploy. */
export function failedDeploy(overrides: Partial<Notification> = {}): Notification {
  return {
    event: 'deploy:rolled-back',
    title: 'hello-service 1.4.2 rolled back in production',
    text: 'The verification window saw /healthz answer 500 for 3 samples in a row.',
    severity: 'error',
    runId: 'run-20261130-0042',
    url: 'https://pipewright.example.com/runs/run-20261130-0042',
    stageId: 'deploy-production',
    environment: 'production',
    reason: 'monitoring/http: GET http://10.0.0.5:8080/healthz answered 500 (expected 2xx)',
    fields: { version: '1.4.2', 'previous version': '1.4.1' },
    ...overrides,
  }
}

/**
 * Calls `notification/<type>` as the engine would: `with` validated by the notifier's own schema,
 * a real context (the testing kit's, which is a NotifierContext with secrets and the engine's
 * redactor). Returns the context so a test can read what was logged.
 */
export async function notify(
  type: NotifierType,
  withConfig: Record<string, unknown>,
  notificationToSend: Notification,
  options: StageContextOptions = {},
): Promise<TestStageContext> {
  const ctx = createStageContext({ stageId: 'notify', pipelineName: 'hello-service', ...options })
  await notifyWith(ctx, type, withConfig, notificationToSend)
  return ctx
}

/** Like `notify`, with a context the test made (to read its logs after a failure). */
export async function notifyWith(ctx: NotifierContext, type: NotifierType, withConfig: Record<string, unknown>, notificationToSend: Notification): Promise<void> {
  const plugin = await inspectPlugin(notification)
  const definition = plugin.notifiers[type]
  if (!definition?.configSchema) throw new Error(`notification/${type} is not registered with a schema`)
  await definition.notify(ctx, notificationToSend, definition.configSchema.parse(withConfig))
}
