import { ERROR_CODES, type ErrorCode } from './errors.js'

/** Where the generated reference lives, relative to the repository root. */
export const ERROR_REFERENCE_PATH = 'docs/errors.md'

/** The command that regenerates the reference, run from the repository root. */
export const ERROR_REFERENCE_COMMAND =
  'pnpm docs:generate'

/**
 * Escapes text for a Markdown table cell. Outside `code spans`, `<` and `>` become entities (so
 * `<NAME>` is not read as an HTML tag); everywhere, `|` is escaped, because GFM splits cells on it
 * even inside code spans.
 */
export function escapeCell(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('')
    .replace(/\|/g, '\\|')
}

/** The Markdown of `docs/errors.md`, from the live `ERROR_CODES` registry. */
export function renderErrorReference(codes: Record<string, { title: string; exit: number; http: number; fix: string }> = ERROR_CODES): string {
  const rows = (Object.keys(codes) as ErrorCode[]).map((code) => {
    const e = codes[code]!
    return `| \`${code}\` | ${escapeCell(e.title)} | ${e.exit} | ${e.http} | ${escapeCell(e.fix)} |`
  })
  return [
    '# Error reference',
    '',
    `<!-- Generated from ERROR_CODES in packages/plugin-api/src/errors.ts; do not edit. Regenerate from the repository root with: ${ERROR_REFERENCE_COMMAND} -->`,
    '',
    'Every error Pipewright reports is a `PipewrightError` with one of these codes. The CLI prints',
    '`error <CODE>: <message>`, then each problem (`file:line:column path: message`), then `fix: <details>`;',
    'the stack trace only with `--debug`. `details` is specific to the error; the "how to fix" column is',
    "the code's general advice, used when a thrown error gives none. A command that fails with an error",
    "exits with the code's exit code (`error.exitCode`); an HTTP server embedding the engine answers with",
    "its HTTP status (`error.httpStatus`). Errors inside a run (a stage that fails, times out or is",
    'cancelled) do not stop the command: they are recorded on the stage (`pipewright show <run>`), and',
    '`pipewright run` exits with the run\'s status.',
    '',
    'Exit codes: `0` success, `1` the pipeline (or a step of it) failed, `2` invalid pipeline, configuration',
    'or usage, `130` cancelled.',
    '',
    '| code | title | exit code | HTTP status | how to fix |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n')
}
