import type { AddressInfo } from 'node:net'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export interface ReceivedMail {
  from: string
  to: string[]
  raw: string
  parsed: ParsedMail
}

export interface SmtpServer {
  host: string
  port: number
  mails: ReceivedMail[]
  /** Attempts to send DATA, accepted or not. */
  attempts: number
  close(): Promise<void>
}

export interface SmtpOptions {
  /** user → password; when set, AUTH is required. */
  users?: Record<string, string>
  /** Answer DATA with this SMTP error code for the first `times` messages (e.g. 451 temporary, 550 permanent). */
  reject?: { code: number; message: string; times: number }
}

/**
 * A real SMTP server (the smtp-server package) on 127.0.0.1: STARTTLS off (its built-in
 * certificate has expired), every message kept raw and parsed with mailparser.
 */
export async function startSmtp(options: SmtpOptions = {}): Promise<SmtpServer> {
  const mails: ReceivedMail[] = []
  let attempts = 0
  let rejected = 0
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    authOptional: !options.users,
    onAuth(auth, _session, callback) {
      if (options.users && options.users[auth.username ?? ''] === auth.password) return callback(null, { user: auth.username })
      callback(new Error('Invalid username or password'))
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        attempts++
        if (options.reject && rejected < options.reject.times) {
          rejected++
          return callback(Object.assign(new Error(options.reject.message), { responseCode: options.reject.code }))
        }
        const raw = Buffer.concat(chunks).toString('utf8')
        simpleParser(raw).then((parsed) => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            parsed,
          })
          callback()
        }, callback)
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.server.address() as AddressInfo
  return {
    host: '127.0.0.1',
    port,
    mails,
    get attempts() { return attempts },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
