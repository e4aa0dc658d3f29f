import { PipewrightError } from '@pipewright/plugin-api'

export const REPORT_FORMATS = ['text', 'json', 'md', 'html'] as const
export type ReportFormat = (typeof REPORT_FORMATS)[number]

/** A rendered report: the document, and the SVG files a Markdown report written to a file refers to. */
export interface RenderedReport {
  text: string
  files: Array<{ name: string; content: string }>
}

export interface RenderOptions {
  /**
   * For Markdown written to a file: charts become `<prefix>-<chart>.svg` files beside it, linked by
   * relative path (renderers of Markdown drop inline SVG). Without it charts are inline `<svg>`.
   */
  chartFilePrefix?: string
}

export function reportFormat(format: string): ReportFormat {
  const found = REPORT_FORMATS.find((f) => f === format)
  if (!found) throw new PipewrightError('PW_ERR_REPORT_FORMAT', `--format ${JSON.stringify(format)} is not a report format`, { details: `Use one of: ${REPORT_FORMATS.join(', ')} (text for the terminal, json for tools, md or html with charts).` })
  return found
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** A table cell of Markdown: no pipes, no HTML, no line breaks from recorded values. */
export function mdCell(text: string): string {
  return text.replace(/[\\|`<>*_[\]]/g, (c) => `\\${c}`).replace(/\s+/g, ' ')
}

export function isoDay(t: number): string {
  return new Date(t).toISOString().slice(0, 10)
}

/** A chart as Markdown: a file beside the document, or inline SVG. */
export function mdChart(files: RenderedReport['files'], options: RenderOptions, name: string, title: string, svg: string): string {
  if (!options.chartFilePrefix) return svg
  const file = `${options.chartFilePrefix}-${name}.svg`
  files.push({ name: file, content: svg })
  return `![${title}](${encodeURI(file.split('/').pop()!)})`
}

export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ddd;padding:.3rem .6rem;text-align:left}th{background:#f4f4f4}.band-elite{color:#1a7f37}.band-high{color:#2f6feb}.band-medium{color:#9a6700}.band-low{color:#cf222e}figure{margin:1rem 0}</style>
</head><body>
${body}
</body></html>
`
}
