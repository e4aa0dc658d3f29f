import { createHmac } from 'node:crypto'

/** The signature scheme's name, the prefix of `X-Pipewright-Signature`. */
export const SIGNATURE_SCHEME = 'sha256'

/**
 * The `X-Pipewright-Signature` value of a delivery: `sha256=` and the lowercase hex HMAC-SHA256,
 * keyed with the secret's UTF-8 bytes, of the bytes of `<timestamp>.<raw body>` — the decimal
 * Unix time in seconds exactly as sent in `X-Pipewright-Timestamp`, one `.` (0x2E), then the body
 * exactly as sent. Documented in the plugin's README; receivers recompute it from those two.
 */
export function signWebhook(secret: string, timestamp: string, body: Buffer): string {
  const hmac = createHmac('sha256', Buffer.from(secret, 'utf8'))
  hmac.update(Buffer.from(`${timestamp}.`, 'utf8'))
  hmac.update(body)
  return `${SIGNATURE_SCHEME}=${hmac.digest('hex')}`
}
