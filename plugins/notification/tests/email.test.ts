import { isPipewrightError } from '@pipewright/plugin-api'
import { afterEach, describe, expect, it } from 'vitest'
import { failedDeploy, notify } from './helpers/notifier.js'
import { startSmtp, type SmtpServer } from './helpers/smtp.js'

let smtp: SmtpServer | undefined
afterEach(async () => {
  await smtp?.close()
  smtp = undefined
})

const mailConfig = (server: SmtpServer, extra: Record<string, unknown> = {}) => ({
  host: server.host,
  port: server.port,
  from: 'Pipewright <pipewright@example.com>',
  to: ['oncall@example.com', 'Release Managers <release@example.com>'],
  ...extra,
})

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  if (!isPipewrightError(error)) throw new Error(`expected a PipewrightError, got ${String(error)}`)
  return error
}

describe('notification/email against a real SMTP server on 127.0.0.1', () => {
  it('delivers a mail with the right subject, text and HTML body to every recipient', async () => {
    smtp = await startSmtp()
    await notify('email', mailConfig(smtp, { cc: ['audit@example.com'] }), failedDeploy({ id: 'evt-77' }))
    expect(smtp.mails).toHaveLength(1)
    const [mail] = smtp.mails
    expect(mail!.from).toBe('pipewright@example.com')
    expect(mail!.to).toEqual(['oncall@example.com', 'release@example.com', 'audit@example.com'])
    const { parsed } = mail!
    expect(parsed.subject).toBe('[pipewright] hello-service 1.4.2 rolled back in production (hello-service / production)')
    expect(parsed.messageId).toBe('<evt-77@pipewright>')
    expect(parsed.headers.get('x-pipewright-event')).toBe('deploy:rolled-back')
    expect(parsed.text?.trim()).toBe([
      'hello-service 1.4.2 rolled back in production',
      '',
      'The verification window saw /healthz answer 500 for 3 samples in a row.',
      '',
      'Pipeline: hello-service',
      'Environment: production',
      'Stage: deploy-production',
      'Reason: monitoring/http: GET http://10.0.0.5:8080/healthz answered 500 (expected 2xx)',
      'Run: run-20261130-0042',
      'version: 1.4.2',
      'previous version: 1.4.1',
      '',
      'Link: https://pipewright.example.com/runs/run-20261130-0042',
    ].join('\n'))
    expect(parsed.html).toContain('<h2 style="margin:0 0 12px">hello-service 1.4.2 rolled back in production</h2>')
    expect(parsed.html).toContain('<a href="https://pipewright.example.com/runs/run-20261130-0042">Open the run</a>')
  })

  it('authenticates with the password from the secret the config names', async () => {
    smtp = await startSmtp({ users: { pipewright: 'smtp-pa55-93ab' } })
    await notify('email', mailConfig(smtp, { auth: { user: 'pipewright', 'password-secret': 'SMTP_PASSWORD' } }), failedDeploy(), { secrets: { SMTP_PASSWORD: 'smtp-pa55-93ab' } })
    expect(smtp.mails).toHaveLength(1)

    const wrong = await failure(notify('email', mailConfig(smtp, { auth: { user: 'pipewright', 'password-secret': 'SMTP_PASSWORD' }, retry: { attempts: 3, 'base-delay': '10ms' } }), failedDeploy(), { secrets: { SMTP_PASSWORD: 'nope-nope' } }))
    expect(wrong.code).toBe('PW_ERR_NOTIFICATION_EMAIL')
    expect(wrong.message).toMatch(/^notification\/email: smtp:\/\/127\.0\.0\.1:\d+ answered 535 .* \(1 attempt\); the mail ".*" to oncall@example\.com, Release Managers <release@example\.com> was not sent$/)
    expect(wrong.message).not.toContain('nope-nope')
  })

  it('retries a temporary (4xx) refusal and sends the mail once it is accepted', async () => {
    smtp = await startSmtp({ reject: { code: 451, message: 'Try again later', times: 2 } })
    const ctx = await notify('email', mailConfig(smtp, { retry: { attempts: 4, 'base-delay': '20ms' } }), failedDeploy())
    expect(smtp.attempts).toBe(3)
    expect(smtp.mails).toHaveLength(1)
    expect(ctx.captured.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      expect.stringMatching(/^notification\/email: smtp:\/\/127\.0\.0\.1:\d+ answered 451 Try again later \(attempt 1 of 4\); retrying in 20 ms$/),
      expect.stringMatching(/answered 451 Try again later \(attempt 2 of 4\); retrying in 40 ms$/),
    ])
  })

  it('does not retry a permanent (5xx) refusal', async () => {
    smtp = await startSmtp({ reject: { code: 550, message: 'Mailbox unavailable', times: 5 } })
    const error = await failure(notify('email', mailConfig(smtp, { retry: { attempts: 4, 'base-delay': '10ms' } }), failedDeploy()))
    expect(smtp.attempts).toBe(1)
    expect(error.code).toBe('PW_ERR_NOTIFICATION_EMAIL')
    expect(error.message).toContain('answered 550 Mailbox unavailable (1 attempt)')
  })

  it('retries, then reports, an SMTP server that cannot be reached', async () => {
    smtp = await startSmtp()
    const port = smtp.port
    await smtp.close()
    smtp = undefined
    const error = await failure(notify('email', { host: '127.0.0.1', port, from: 'a@example.com', to: ['b@example.com'], retry: { attempts: 2, 'base-delay': '10ms' } }, failedDeploy()))
    expect(error.code).toBe('PW_ERR_NOTIFICATION_EMAIL')
    expect(error.message).toMatch(new RegExp(`^notification/email: smtp://127\\.0\\.0\\.1:${port} failed: ESOCKET: connect ECONNREFUSED.* \\(2 attempts\\)`))
  })

  it('never lets a secret of the run reach the mailbox', async () => {
    smtp = await startSmtp()
    const leaked = 'aws-4b3c2d1e0f9a'
    await notify('email', mailConfig(smtp), failedDeploy({ title: `key ${leaked} leaked?`, text: `AWS_SECRET=${leaked}`, fields: { key: leaked } }), { secrets: { AWS_SECRET: leaked } })
    const { raw, parsed } = smtp.mails[0]!
    expect(raw).not.toContain(leaked)
    expect(`${parsed.subject} ${parsed.text} ${parsed.html}`).not.toContain(leaked)
    expect(parsed.text).toMatch(/AWS_SECRET=\S+/)
  })
})
