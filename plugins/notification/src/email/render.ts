import { renderText, type Message } from '../message.js'

export interface RenderedEmail {
  subject: string
  text: string
  html: string
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')

/** Subject, plain text and a simple HTML body (no images, no remote content) of a message. */
export function renderEmail(message: Message, subjectPrefix: string): RenderedEmail {
  const where = [message.pipeline, message.environment].filter(Boolean).join(' / ')
  const subject = [subjectPrefix, message.title, where && !message.title.includes(where) ? `(${where})` : ''].filter(Boolean).join(' ').replace(/[\r\n]+/g, ' ')
  const rows = message.facts.map(([k, v]) => `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(k)}</th><td style="padding:2px 0">${escapeHtml(v)}</td></tr>`).join('')
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2 style="margin:0 0 12px">${escapeHtml(message.title)}</h2>`,
    message.text ? `<p style="white-space:pre-wrap">${escapeHtml(message.text)}</p>` : '',
    `<table style="border-collapse:collapse">${rows}</table>`,
    message.url ? `<p><a href="${escapeHtml(message.url)}">Open the run</a></p>` : '',
    `<p style="color:#777;font-size:12px">${escapeHtml(message.event)} · ${escapeHtml(message.severity)} · delivery ${escapeHtml(message.id)}</p>`,
    '</body></html>',
  ].join('')
  return { subject, text: renderText(message), html }
}
