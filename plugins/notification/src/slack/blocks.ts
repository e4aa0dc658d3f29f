import type { Message } from '../message.js'

// Slack's limits (Block Kit reference): header text 150 chars, section text 3000, a field 2000,
// at most 10 fields per section, a context element 2000.
const HEADER_MAX = 150
const TEXT_MAX = 3000
const FIELD_MAX = 2000
const FIELDS_MAX = 10
const CONTEXT_MAX = 2000

const ICON: Record<Message['severity'], string> = { info: ':information_source:', warning: ':warning:', error: ':rotating_light:' }

/** Escapes text for Slack's mrkdwn: &, < and > are control characters there. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/**
 * The incoming-webhook payload: a `text` fallback (notifications, screen readers) and blocks —
 * a header with the title, a section with the text and the facts as fields, a context line with
 * the event, the severity and the link.
 */
export function slackPayload(message: Message): Record<string, unknown> {
  const facts = message.facts.slice(0, FIELDS_MAX)
  const context = [`*${escapeMrkdwn(message.event)}*`, message.severity, `delivery ${message.id}`]
  if (message.url) context.push(`<${message.url.replace(/[|>]/g, encodeURIComponent)}|Open the run>`)
  const section: Record<string, unknown> = { type: 'section', text: { type: 'mrkdwn', text: cut(escapeMrkdwn(message.text || message.title), TEXT_MAX) } }
  if (facts.length > 0) section.fields = facts.map(([k, v]) => ({ type: 'mrkdwn', text: cut(`*${escapeMrkdwn(k)}*\n${escapeMrkdwn(v)}`, FIELD_MAX) }))
  return {
    text: cut(`${ICON[message.severity]} ${message.title}${message.reason ? ` — ${message.reason}` : ''}`, TEXT_MAX),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: cut(`${ICON[message.severity]} ${message.title}`, HEADER_MAX), emoji: true } },
      section,
      { type: 'context', elements: [{ type: 'mrkdwn', text: cut(context.join('  ·  '), CONTEXT_MAX) }] },
    ],
  }
}
