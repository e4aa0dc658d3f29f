import { isRecord } from './loose-input.js'
import { dottedPath, type PathSegment, type ProblemList } from './problems.js'

const EXAMPLE = ['name: my-app', 'stages:', '  lint:', '    run: npm run lint', '  test:', '    needs: lint', '    run: npm test'].join('\n')

const EMPTY_FIX = `A pipeline has a name and a \`stages:\` map, e.g.:\n\n${EXAMPLE}\n\n\`pipewright init\` writes one for this project.`
const NO_STAGES_FIX = `Add the stages, each with \`run:\` (a command) or \`uses:\` (a plugin's stage type), e.g.:\n\n${EXAMPLE}`

/**
 * The two mistakes of a first pipeline — a file with nothing in it, and one without `stages:` —
 * said in words with an example to start from, instead of the schema's "Required (object)" and
 * "stages: Required (record)". Returns the paths it reported, whose schema reports are redundant.
 */
export function checkOutline(input: unknown, problems: ProblemList): Set<string> {
  const reported = new Set<string>()
  const report = (path: PathSegment[], message: string, details: string) => {
    problems.add(path, message, 'PW_ERR_CONFIG_INVALID', { details })
    reported.add(dottedPath(path))
  }
  if (input === undefined || input === null) report([], 'The pipeline file is empty.', EMPTY_FIX)
  else if (isRecord(input) && (input.stages === undefined || input.stages === null)) {
    report(['stages'], 'A pipeline needs a `stages:` map: the steps it runs, by id.', NO_STAGES_FIX)
  }
  return reported
}
