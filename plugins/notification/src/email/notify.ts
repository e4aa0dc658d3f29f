import { PipewrightError, type Notification, type NotifierContext, type NotifierDefinition } from '@pipewright/plugin-api'
import { createTransport } from 'nodemailer'
import { withRetries, type AttemptOutcome } from '../delivery/retry.js'
import { composeMessage } from '../message.js'
import { readSecret } from '../secrets.js'
import { EmailConfig } from './config.js'
import { renderEmail } from './render.js'

// nodemailer's codes for failures that another attempt can cure (no connection, a dropped one).
const TRANSIENT = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNRESET'])

interface SmtpError {
  code?: string
  responseCode?: number
  response?: string
  message?: string
}

export interface EmailResult {
  messageId: string
  /** The SMTP server's last answer, e.g. `250 OK: message queued`. */
  response: string
  attempts: number
}

/**
 * `notification/email`: one message over SMTP through nodemailer, to every recipient at once.
 * Connection failures and 4xx answers (temporary, by SMTP's rules) are retried with back-off;
 * 5xx answers and failed authentication are not.
 */
export async function notifyEmail(ctx: NotifierContext, notification: Notification, config: EmailConfig): Promise<EmailResult> {
  const pass = config.auth ? readSecret(ctx, config.auth['password-secret'], 'notification/email auth.password-secret') : undefined
  const message = composeMessage(ctx, notification)
  const mail = renderEmail(message, config['subject-prefix'])
  const secure = config.secure ?? config.port === 465
  const server = `smtp://${config.host}:${config.port}`
  const messageId = `<${message.id}@pipewright>`
  const { outcome, attempts } = await withRetries(ctx, config.retry, 'notification/email', async (): Promise<AttemptOutcome<string>> => {
    const transport = createTransport({
      host: config.host,
      port: config.port,
      secure,
      requireTLS: !secure && config.starttls === 'required',
      ignoreTLS: !secure && config.starttls === 'never',
      connectionTimeout: config.timeout,
      greetingTimeout: config.timeout,
      socketTimeout: config.timeout,
      ...(config.auth && pass !== undefined ? { auth: { user: config.auth.user, pass } } : {}),
    })
    try {
      const info = await transport.sendMail({
        from: config.from,
        to: config.to,
        ...(config.cc.length > 0 ? { cc: config.cc } : {}),
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        // One id for every attempt, so a mail sent twice after a dropped connection reads as one.
        messageId,
        headers: { 'X-Pipewright-Event': message.event, 'X-Pipewright-Delivery': message.id },
      })
      return { ok: true, value: String(info.response ?? '') }
    } catch (error) {
      const e = error as SmtpError
      const answer = e.response ? `answered ${ctx.redact(e.response)}` : `failed: ${ctx.redact(e.code ? `${e.code}: ${e.message ?? ''}` : String(e.message ?? error))}`
      const temporary = (e.responseCode !== undefined && e.responseCode >= 400 && e.responseCode < 500) || (e.responseCode === undefined && TRANSIENT.has(e.code ?? ''))
      return { ok: false, retry: temporary && e.code !== 'EAUTH', problem: `${server} ${answer}` }
    } finally {
      transport.close()
    }
  })
  if (outcome.ok) return { messageId, response: outcome.value, attempts }
  throw new PipewrightError('PW_ERR_NOTIFICATION_EMAIL', `notification/email: ${outcome.problem} (${attempts} attempt${attempts === 1 ? '' : 's'}); the mail "${mail.subject}" to ${config.to.join(', ')} was not sent`, {
    details: 'Check the SMTP host, port, secure/starttls, the credentials secret and the addresses. 5xx answers and failed authentication are not retried.',
  })
}

export const emailNotifier: NotifierDefinition<EmailConfig> = {
  description: 'Sends an e-mail over SMTP (nodemailer): subject, plain text and simple HTML.',
  configSchema: EmailConfig,
  notify: async (ctx, notification, config) => void (await notifyEmail(ctx, notification, config)),
}
