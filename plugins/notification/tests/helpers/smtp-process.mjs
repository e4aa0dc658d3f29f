// A real SMTP server (the smtp-server package) in its own process, on 127.0.0.1, started by
// tests/helpers/smtp.ts. Options come as JSON in argv[2]. It prints one JSON line per fact on
// stdout: `{"port":N}` once listening, `{"attempt":N}` for every DATA, `{"mail":{from,to,raw}}` for
// every accepted mail — and answers the client only after the test process acknowledged that mail
// on stdin, so a sender that got "250" knows the test already holds the mail.
import { createInterface } from 'node:readline'
import { SMTPServer } from 'smtp-server'

const options = JSON.parse(process.argv[2] ?? '{}')
const say = (fact) => process.stdout.write(`${JSON.stringify(fact)}\n`)
const acks = []
createInterface({ input: process.stdin }).on('line', () => acks.shift()?.())
let attempts = 0
let rejected = 0

const server = new SMTPServer({
  logger: false,
  disabledCommands: ['STARTTLS'], // its built-in certificate has expired
  authOptional: !options.users,
  onAuth(auth, _session, callback) {
    if (options.users && options.users[auth.username ?? ''] === auth.password) return callback(null, { user: auth.username })
    callback(new Error('Invalid username or password'))
  },
  onData(stream, session, callback) {
    const chunks = []
    stream.on('data', (c) => chunks.push(c))
    stream.on('end', () => {
      say({ attempt: ++attempts })
      if (options.reject && rejected < options.reject.times) {
        rejected++
        return callback(Object.assign(new Error(options.reject.message), { responseCode: options.reject.code }))
      }
      acks.push(() => callback())
      say({ mail: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') } })
    })
  },
})
server.listen(0, '127.0.0.1', () => say({ port: server.server.address().port }))
process.on('SIGTERM', () => server.close(() => process.exit(0)))
