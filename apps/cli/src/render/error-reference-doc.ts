import { ERROR_CODES, type ErrorCodeInfo } from '@pipewright/plugin-api'

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

type CodeTable = Record<string, ErrorCodeInfo & { plugin?: string }>

function table(codes: CodeTable, names: string[]): string[] {
  return [
    '| code | title | exit code | HTTP status | how to fix |',
    '| --- | --- | --- | --- | --- |',
    ...names.map((code) => {
      const e = codes[code]!
      return `| \`${code}\` | ${escapeCell(e.title)} | ${e.exit} | ${e.http} | ${escapeCell(e.fix)} |`
    }),
  ]
}

/**
 * The Markdown of `docs/errors.md`: the engine's codes, then each plugin's (as registered when the
 * first-party plugins load; see `apps/cli/scripts/gen-errors.ts`).
 */
export function renderErrorReference(codes: CodeTable = ERROR_CODES): string {
  const engine = Object.keys(codes).filter((code) => !codes[code]!.plugin)
  const plugins = [...new Set(Object.values(codes).flatMap((c) => (c.plugin ? [c.plugin] : [])))].sort()
  const lines = [
    '# Error reference',
    '',
    `<!-- Generated from the error code registry (packages/plugin-api/src/errors.ts and each first-party plugin's \`errors\`); do not edit. Regenerate from the repository root with: ${ERROR_REFERENCE_COMMAND} -->`,
    '',
    'Every error Pipewright reports is a `PipewrightError` with a code. The CLI prints',
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
    'The registry is open: a plugin declares its own codes (`definePlugin({ errors })`, each',
    '`PW_ERR_<PLUGIN ID>_<WHAT>`), registered when it loads. A code nobody registered is still printed',
    'with the plugin it came from, exit code 1 and HTTP status 500.',
    '',
    '## Engine',
    '',
    ...table(codes, engine),
  ]
  for (const plugin of plugins) {
    lines.push('', `## Plugin \`${plugin}\``, '', ...table(codes, Object.keys(codes).filter((code) => codes[code]!.plugin === plugin)))
  }
  return [...lines, ''].join('\n')
}
