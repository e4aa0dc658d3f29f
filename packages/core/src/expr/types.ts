import type { GitInfo, StageStatus } from '@pipewright/plugin-api'

/** Comparison operators; string comparisons ignore case, like GitHub Actions. */
export type CompareOperator = '==' | '!=' | '<' | '<=' | '>' | '>='

/** The functions an expression may call; nothing else is callable. */
export const EXPRESSION_FUNCTIONS = {
  contains: { args: [2, 2], description: '`contains(search, item)`: true if the string `search` contains `item` (ignoring case), or the array `search` has an element equal to `item`.' },
  startsWith: { args: [2, 2], description: '`startsWith(text, prefix)`: true if `text` starts with `prefix` (ignoring case).' },
  endsWith: { args: [2, 2], description: '`endsWith(text, suffix)`: true if `text` ends with `suffix` (ignoring case).' },
  format: { args: [1, Infinity], description: "`format('{0}-{1}', a, b)`: replaces `{N}` with the N-th argument; `{{` and `}}` are literal braces." },
  toJSON: { args: [1, 1], description: '`toJSON(value)`: the value as pretty-printed JSON.' },
  fromJSON: { args: [1, 1], description: '`fromJSON(text)`: parses JSON, e.g. a stage output holding a list.' },
  success: { args: [0, 0], description: '`success()`: every stage this one needs succeeded (the default condition).' },
  failure: { args: [0, 0], description: '`failure()`: a stage this one needs failed.' },
  always: { args: [0, 0], description: '`always()`: true, even when the run was cancelled.' },
  cancelled: { args: [0, 0], description: '`cancelled()`: the run was cancelled.' },
} as const satisfies Record<string, { args: readonly [number, number]; description: string }>

export type FunctionName = keyof typeof EXPRESSION_FUNCTIONS

/** Functions that read the status of the needed stages; only meaningful in `if:`. */
export const STATUS_FUNCTIONS: ReadonlySet<string> = new Set<FunctionName>(['success', 'failure', 'always', 'cancelled'])

/** Top-level names an expression may read. */
export const EXPRESSION_CONTEXTS = {
  env: 'Environment variables of the stage (pipeline `env:`, then stage `env:`).',
  secrets: 'Secrets declared in the pipeline `secrets:` list; values are redacted from logs.',
  vars: 'Values passed at run time (`--var name=value`).',
  matrix: "The current matrix instance's values, e.g. `matrix.node`.",
  stages: '`stages.<id>.outputs.<name>` and `stages.<id>.status` of a stage this one needs (directly or transitively).',
  run: '`run.id` and `run.pipeline`.',
  git: '`git.sha`, `git.shortSha`, `git.branch`, `git.tag`, `git.message`, `git.author`, `git.root`, `git.committedAt` (epoch ms) of the checked-out commit.',
} as const

export type ContextName = keyof typeof EXPRESSION_CONTEXTS

/** A parsed expression. `start` is the 0-based offset in the expression source. */
export type ExprNode =
  | { type: 'literal'; value: string | number | boolean | null; start: number }
  | { type: 'context'; name: string; start: number }
  | { type: 'property'; object: ExprNode; key: ExprNode; start: number }
  | { type: 'call'; name: FunctionName; args: ExprNode[]; start: number }
  | { type: 'not' | 'negate'; argument: ExprNode; start: number }
  | { type: 'compare'; operator: CompareOperator; left: ExprNode; right: ExprNode; start: number }
  | { type: 'and' | 'or'; left: ExprNode; right: ExprNode; start: number }

/** What an expression can read while a stage is prepared. */
export interface ExpressionContext {
  env: Record<string, string>
  secrets: Record<string, string>
  vars: Record<string, string>
  matrix: Record<string, string | number | boolean>
  stages: Record<string, { outputs: Record<string, string>; status: StageStatus }>
  run: { id: string; pipeline: string }
  git?: GitInfo
  /**
   * The sample an analysis condition (`success-condition`, `failure-condition`) judges. Only
   * there: it is not one of EXPRESSION_CONTEXTS, so elsewhere `result` is an unknown name.
   */
  result?: Record<string, unknown>
  /** Computed by the engine from the statuses of the stage's needs. */
  status: { success: boolean; failure: boolean; cancelled: boolean }
}
