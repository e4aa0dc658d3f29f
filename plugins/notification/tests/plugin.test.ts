import { errorCodeInfo, isPlugin } from '@pipewright/plugin-api'
import { inspectPlugin } from '@pipewright/testing'
import { describe, expect, it } from 'vitest'
import notification, { EmailConfig, FileConfig, NOTIFICATION_ERRORS, SlackConfig, WebhookConfig } from '../src/index.js'

describe('the notification plugin', () => {
  it('registers notification/webhook, slack, email and file with their schemas', async () => {
    expect(isPlugin(notification)).toBe(true)
    expect(notification).toMatchObject({ id: 'notification', apiVersion: 1 })
    const inspected = await inspectPlugin(notification)
    expect(Object.keys(inspected.notifiers)).toEqual(['webhook', 'slack', 'email', 'file'])
    expect(inspected.notifiers.webhook!.configSchema).toBe(WebhookConfig)
    expect(inspected.notifiers.slack!.configSchema).toBe(SlackConfig)
    expect(inspected.notifiers.email!.configSchema).toBe(EmailConfig)
    expect(inspected.notifiers.file!.configSchema).toBe(FileConfig)
  })

  it('declares its error codes under its id, each with a fix, and the engine knows them once loaded', async () => {
    await inspectPlugin(notification)
    expect(Object.keys(NOTIFICATION_ERRORS)).toEqual(['PW_ERR_NOTIFICATION_DELIVERY', 'PW_ERR_NOTIFICATION_REJECTED', 'PW_ERR_NOTIFICATION_EMAIL', 'PW_ERR_NOTIFICATION_FILE'])
    for (const code of Object.keys(NOTIFICATION_ERRORS)) expect(errorCodeInfo(code)).toMatchObject({ plugin: 'notification', fix: expect.stringMatching(/\w/) })
  })

  it('validates every channel\'s config with paths, all problems at once', () => {
    const result = EmailConfig.safeParse({ host: '', port: 0, from: 'nobody', to: [], retry: { attempts: 0 } })
    expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['from', 'host', 'port', 'retry.attempts', 'to'])
    expect(WebhookConfig.safeParse({ url: 'ftp://x' }).success).toBe(false)
  })
})
