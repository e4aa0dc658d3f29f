import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { signWebhook } from './sign.js'

describe('signWebhook', () => {
  const body = Buffer.from('{"id":"d-1","event":"run:failed","title":"caf\u00e9 \u2713"}', 'utf8')

  it('is HMAC-SHA256 over "<timestamp>.<raw body>", as the openssl one-liner of the README computes it', () => {
    // The README's shell recipe, run for real: an implementation that does not share our code.
    const file = join(mkdtempSync(join(tmpdir(), 'pipewright-sign-')), 'body.json')
    writeFileSync(file, body)
    const openssl = spawnSync('sh', ['-c', 'printf \'%s.\' "$TIMESTAMP" | cat - "$BODY" | openssl dgst -sha256 -hmac "$SECRET"'], {
      env: { ...process.env, TIMESTAMP: '1796025600', SECRET: 'k3y-\u00fc', BODY: file },
      encoding: 'utf8',
    })
    expect(openssl.status, openssl.stderr).toBe(0)
    const hex = openssl.stdout.trim().split(/\s+/).pop()
    expect(signWebhook('k3y-\u00fc', '1796025600', body)).toBe(`sha256=${hex}`)
  })

  it('changes with the timestamp, the body and the secret', () => {
    const base = signWebhook('s', '100', body)
    expect(base).toMatch(/^sha256=[0-9a-f]{64}$/)
    expect(signWebhook('s', '101', body)).not.toBe(base)
    expect(signWebhook('s', '100', Buffer.concat([body, Buffer.from(' ')]))).not.toBe(base)
    expect(signWebhook('t', '100', body)).not.toBe(base)
  })
})
