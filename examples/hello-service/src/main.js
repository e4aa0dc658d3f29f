import { readFileSync } from 'node:fs'
import { createHelloServer } from './server.js'

const port = Number(process.env.PORT ?? 8080)
// Deployed by Pipewright, an instance is told its version (PIPEWRIGHT_VERSION) by the agent.
const version = process.env.APP_VERSION ?? process.env.PIPEWRIGHT_VERSION
// A release may carry settings beside its code (release.json; the demo's broken release does).
let release = {}
try {
  release = JSON.parse(readFileSync(new URL('../release.json', import.meta.url), 'utf8'))
} catch {
  // no release.json: defaults
}
const brokenAfterMs = process.env.HELLO_BROKEN_AFTER_MS ? Number(process.env.HELLO_BROKEN_AFTER_MS) : release.brokenAfterMs
createHelloServer({ ...(version ? { version } : {}), ...(brokenAfterMs !== undefined ? { brokenAfterMs } : {}) }).listen(port, '127.0.0.1', () =>
  console.log(`hello-service listening on 127.0.0.1:${port}${brokenAfterMs !== undefined ? ` (a broken release: answers 500 after ${brokenAfterMs} ms)` : ''}`),
)
