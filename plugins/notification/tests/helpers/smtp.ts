import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { simpleParser, type ParsedMail } from 'mailparser'

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

const SERVER_SCRIPT = fileURLToPath(new URL('./smtp-process.mjs', import.meta.url))

/**
 * A real SMTP server process (the smtp-server package, in a child process: tests/helpers/smtp-process.mjs)
 * on 127.0.0.1, STARTTLS off (its built-in certificate has expired). Every accepted mail is kept
 * raw and parsed with mailparser before the server answers the sender.
 */
export async function startSmtp(options: SmtpOptions = {}): Promise<SmtpServer> {
  const mails: ReceivedMail[] = []
  let attempts = 0
  const child = spawn(process.execPath, [SERVER_SCRIPT, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'inherit'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the SMTP server process exited (${String(code)}) before listening`)))
    createInterface({ input: child.stdout }).on('line', (line) => {
      const fact = JSON.parse(line) as { port?: number; attempt?: number; mail?: Omit<ReceivedMail, 'parsed'> }
      if (fact.port !== undefined) resolve(fact.port)
      if (fact.attempt !== undefined) attempts = fact.attempt
      if (fact.mail) {
        const mail = fact.mail
        void simpleParser(mail.raw).then((parsed) => {
          mails.push({ ...mail, parsed })
          child.stdin.write('ack\n')
        })
      }
    })
  })
  return {
    host: '127.0.0.1',
    port,
    mails,
    get attempts() { return attempts },
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}
