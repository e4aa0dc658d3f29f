/** What a registered error code means: a title, the exit code and HTTP status it maps to, a general fix. */
export interface ErrorCodeInfo {
  title: string
  exit: number
  http: number
  fix: string
}

/**
 * One error class, one open registry of codes. The engine's own codes are below; each plugin
 * declares its own (`definePlugin({ errors })`, prefixed `PW_ERR_<PLUGIN ID>_`), registered when
 * the plugin loads. Every code has a title (what went wrong, in general) and a default fix; a
 * thrown error adds its own message, `details` (how to fix this instance) and optionally
 * `problems` (many at once) and `cause`.
 */
export const ERROR_CODES = {
  PW_ERR_USAGE: { title: 'Invalid command usage', exit: 2, http: 400, fix: 'Run the command with --help to see its options.' },
  PW_ERR_PIPELINE_NOT_FOUND: { title: 'Pipeline file not found', exit: 2, http: 404, fix: 'Pass the file with -f, or run `pipewright init` to write a starter pipewright.yml.' },
  PW_ERR_YAML_SYNTAX: { title: 'YAML syntax error', exit: 2, http: 400, fix: 'Fix the YAML at the line and column shown.' },
  PW_ERR_CONFIG_INVALID: { title: 'Invalid pipeline', exit: 2, http: 400, fix: 'Fix each problem listed; `pipewright schema` prints the JSON Schema for editors.' },
  PW_ERR_EXPRESSION: { title: 'Invalid expression', exit: 2, http: 400, fix: 'Check the ${{ … }} expression: operators are == != && || ! < <= > >=, functions contains, startsWith, endsWith, format, toJSON, fromJSON, success, failure, always, cancelled.' },
  PW_ERR_PLUGIN_NOT_FOUND: { title: 'Plugin not found', exit: 2, http: 400, fix: 'Install the package in the project (npm install <name>) or fix the path in `plugins:`.' },
  PW_ERR_PLUGIN_INVALID: { title: 'Invalid plugin', exit: 2, http: 500, fix: 'The package must default-export the result of definePlugin({...}) from @pipewright/plugin-api.' },
  PW_ERR_PLUGIN_INCOMPATIBLE: { title: 'Incompatible plugin', exit: 2, http: 500, fix: 'Install a version of the plugin built for this plugin-api version, or upgrade Pipewright.' },
  PW_ERR_PLUGIN_DUPLICATE: { title: 'Duplicate plugin id', exit: 2, http: 500, fix: 'Load each plugin once; two packages may not share a plugin id.' },
  PW_ERR_PLUGIN_DEPENDENCY: { title: 'Missing plugin dependency', exit: 2, http: 500, fix: 'Add the plugin it depends on to `plugins:`.' },
  PW_ERR_PLUGIN_CONFIG: { title: 'Invalid plugin configuration', exit: 2, http: 400, fix: 'Fix the plugin configuration at the path shown.' },
  PW_ERR_PLUGIN_HOOK: { title: 'Plugin failed', exit: 1, http: 500, fix: 'The plugin threw an unexpected error; see its message, and report it to the plugin author if it is a bug.' },
  PW_ERR_PLUGIN_INTEGRITY: { title: 'Plugin files changed', exit: 2, http: 409, fix: 'If the change is expected, run `pipewright plugins update` to re-pin it in pipewright.lock.' },
  PW_ERR_SERVICE_NOT_FOUND: { title: 'Service not registered', exit: 1, http: 500, fix: 'Declare the plugin that provides the service in `dependsOn` and load it.' },
  PW_ERR_SERVICE_NOT_VISIBLE: { title: 'Service of another plugin', exit: 1, http: 500, fix: "Add the providing plugin's id to this plugin's `dependsOn`: a plugin's services are visible only to itself and to the plugins that depend on it." },
  PW_ERR_SECRET_MISSING: { title: 'Secret not provided', exit: 2, http: 400, fix: 'Set PIPEWRIGHT_SECRET_<NAME> in the environment or pass --secret-file with NAME=value lines.' },
  PW_ERR_SECRET_FILE: { title: 'Secret file unreadable', exit: 2, http: 400, fix: 'Check the --secret-file path and its NAME=value (dotenv) format.' },
  PW_ERR_RUN_NOT_FOUND: { title: 'Run not found', exit: 2, http: 404, fix: 'List runs with `pipewright runs`.' },
  PW_ERR_RUN_NOT_RESUMABLE: { title: 'Run cannot be resumed', exit: 2, http: 409, fix: 'Only interrupted, failed or cancelled runs can be resumed; start a new run instead.' },
  PW_ERR_STAGE_NOT_FOUND: { title: 'Stage not found', exit: 2, http: 404, fix: 'Check the stage id; `pipewright graph` lists them.' },
  PW_ERR_STAGE_FAILED: { title: 'Stage failed', exit: 1, http: 500, fix: 'See the stage log with `pipewright logs <run> <stage>`.' },
  PW_ERR_GATE_FAILED: { title: 'Gate failed', exit: 1, http: 500, fix: 'See the gate evidence with `pipewright show <run>`.' },
  PW_ERR_TIMEOUT: { title: 'Stage timed out', exit: 1, http: 504, fix: 'Raise `timeout:` on the stage or make it faster.' },
  PW_ERR_WAIT_TIMEOUT: { title: 'Gave up waiting', exit: 1, http: 504, fix: 'The stage waited longer than allowed (a pending gate\'s or hook\'s deadline, an approval timeout); see what it waited for in `pipewright show <run>`, then run again once it can pass.' },
  PW_ERR_CANCELLED: { title: 'Cancelled', exit: 130, http: 409, fix: 'The run was cancelled; resume it with `pipewright run --resume <id>`.' },
  PW_ERR_COMMIT_NOT_FOUND: { title: 'Commit not found', exit: 2, http: 404, fix: 'Fetch the commit into the pipeline\'s repository first, or pass a commit it has.' },
  PW_ERR_PATH_ESCAPE: { title: 'Path outside the workspace', exit: 2, http: 400, fix: 'Use a relative path inside the workspace, without `..` or symlinks that leave it.' },
  PW_ERR_STORE: { title: 'Store error', exit: 1, http: 500, fix: 'Check that the store directory (--home or PIPEWRIGHT_HOME) is writable and not corrupted.' },
  PW_ERR_INPUT_FILE: { title: 'Input file invalid', exit: 1, http: 400, fix: 'Check that the file exists and has the expected format.' },
  PW_ERR_AGENT_UNAVAILABLE: { title: 'Deployment agent unavailable', exit: 1, http: 503, fix: 'Start it with `pipewright agent start` (in the foreground) or let a deploy start it; see <home>/agent/agent.log for why it stopped.' },
  PW_ERR_DEPLOYMENT_FAILED: { title: 'Deployment failed', exit: 1, http: 502, fix: 'The message names the instance and the health check that failed with its last response; the previous version still serves. See the instance log under <home>/agent/targets.' },
  PW_ERR_ENVIRONMENT_BUSY: { title: 'Environment busy', exit: 1, http: 409, fix: 'Another deployment of this environment is in flight; wait for it (`pipewright agent status`) or abort it.' },
  PW_ERR_ENVIRONMENT_NOT_FOUND: { title: 'Environment not found', exit: 2, http: 404, fix: 'Check the environment name; `pipewright agent status` lists the environments the agent serves.' },
  PW_ERR_TARGET_NOT_FOUND: { title: 'Deployment target not found', exit: 2, http: 400, fix: 'Use a target type a loaded plugin registers (deploy/process, docker/container, or a third-party plugin\'s).' },
  PW_ERR_PROTECTION: { title: 'Deploy stopped by a protection rule', exit: 1, http: 403, fix: 'The message names the environment\'s rule (branches, freeze) and how to proceed: deploy from an allowed branch, or after the freeze window (without --no-wait the stage waits for it).' },
  PW_ERR_APPROVAL_REJECTED: { title: 'Deploy rejected', exit: 1, http: 403, fix: 'An approver rejected the deploy (see their comment in `pipewright show <run>`); fix what they asked and run again.' },
  PW_ERR_APPROVAL_EXPIRED: { title: 'Approval request expired', exit: 1, http: 408, fix: 'Not enough people approved within the environment\'s approval-timeout; run again and ask approvers to run `pipewright approve <run> <stage>` sooner.' },
  PW_ERR_APPROVAL_REFUSED: { title: 'Approval not accepted', exit: 2, http: 409, fix: 'The message says why (self-approval, finished run, stage that needs no approval); approve as another person with --as, or check the run with `pipewright show <run>`.' },
  PW_ERR_ENVIRONMENT_LOCKED: { title: 'Environment locked', exit: 1, http: 409, fix: 'Another run holds the environment\'s lock; wait for it, or if it is stuck, `pipewright unlock <environment>` (a dead holder is released on its own).' },
  PW_ERR_ENVIRONMENT_LATCHED: { title: 'Environment latched after an automatic rollback', exit: 1, http: 423, fix: 'An automatic rollback latched the environment: look at why (`pipewright envs`, `pipewright history <env>`), fix the release, then `pipewright ack <env> --comment "<what was done>"` to allow deploys again.' },
  PW_ERR_ENVIRONMENT_NOT_LATCHED: { title: 'Environment not latched', exit: 2, http: 409, fix: 'Only an environment latched by an automatic rollback can be acknowledged; `pipewright envs` shows which are.' },
  PW_ERR_VERIFICATION_FAILED: { title: 'Post-deploy verification failed', exit: 1, http: 502, fix: 'The deployment turned unhealthy inside its verification window and was rolled back; the evidence (samples, failed condition) is in `pipewright show <run>` and `pipewright history <env>`.' },
  PW_ERR_ANALYSIS_FAILED: { title: 'Analysis failed', exit: 1, http: 500, fix: 'Too many measurements failed (or were inconclusive); see the samples and the condition in `pipewright show <run>`, or make the analysis `advisory: true` to only record it.' },
  PW_ERR_INTERNAL: { title: 'Internal error', exit: 1, http: 500, fix: 'This is a bug in Pipewright; run again with --debug and report it.' },
  PW_ERR_AUDIT_TAMPERED: { title: 'Audit trail does not verify', exit: 1, http: 409, fix: 'Each problem names the entry and what broke. Keep the database as it is for investigation, restore it from a backup, and compare `pipewright audit export` with an earlier export (or check an anchor you wrote down with `pipewright audit head`).' },
  PW_ERR_DEPLOYMENT_NOT_FOUND: { title: 'Deployment not found', exit: 2, http: 404, fix: 'List deployments with `pipewright history <environment>`; pass a deployment id (dep-…) or a unique prefix of one.' },
  PW_ERR_REPORT_WINDOW: { title: 'Invalid report window', exit: 2, http: 400, fix: 'Give --since as a span back from now (30d, 12w, 48h) or a start date (2026-01-01).' },
  PW_ERR_REPORT_FORMAT: { title: 'Invalid report format', exit: 2, http: 400, fix: 'Use --format text, json, md or html.' },
  PW_ERR_DOCS_OUTDATED: { title: 'Pipeline documentation out of date', exit: 1, http: 409, fix: 'Regenerate it with `pipewright docs --out <file>` and commit the result.' },
  PW_ERR_STORE_URL: { title: 'Invalid store URL', exit: 2, http: 400, fix: 'Use --store postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME] (or PIPEWRIGHT_STORE); leave both unset for the local SQLite store.' },
  PW_ERR_STORE_UNREACHABLE: { title: 'Store unreachable', exit: 1, http: 503, fix: 'Start PostgreSQL (here: bash tools/services/postgres.sh) or fix the host, port, user and database in --store / PIPEWRIGHT_STORE.' },
  PW_ERR_QUEUE_UNREACHABLE: { title: 'Work queue unreachable', exit: 1, http: 503, fix: 'Start Redis (here: bash tools/services/redis.sh) or fix --redis / PIPEWRIGHT_REDIS (redis://HOST:PORT).' },
  PW_ERR_WORKER_LOST: { title: 'Worker lost', exit: 1, http: 502, fix: 'The worker running the stage stopped (killed, crashed, lost its connection). The stage is idempotent: false, so it was not retried; check what it did, then `pipewright run --resume <id>`.' },
  PW_ERR_UNAUTHORIZED: { title: 'Not signed in', exit: 2, http: 401, fix: 'Send `Authorization: Bearer <token>`; an admin creates tokens with `pipewright token create --name <you> --role <role>`.' },
  PW_ERR_FORBIDDEN: { title: 'Not allowed for this role', exit: 2, http: 403, fix: 'Ask an admin for a token with the role this action needs (viewer < operator, approver < admin); see docs/server.md.' },
  PW_ERR_WEBHOOK_SIGNATURE: { title: 'Webhook signature invalid', exit: 2, http: 401, fix: 'Set the same secret in the forge\'s webhook settings and in PIPEWRIGHT_WEBHOOK_SECRET (or --webhook-secret-file) of `pipewright serve`.' },
} as const satisfies Record<string, ErrorCodeInfo>

/** A code of the engine's own. */
export type CoreErrorCode = keyof typeof ERROR_CODES
/** Any error code: the engine's own, or one a plugin registered (`PW_ERR_<PLUGIN>_<WHAT>`). */
export type ErrorCode = CoreErrorCode | `PW_ERR_${string}`

export const ERROR_CODE_PATTERN = /^PW_ERR_[A-Z0-9_]+$/

interface RegisteredCode extends ErrorCodeInfo {
  /** The plugin that registered it; undefined for the engine's own codes. */
  plugin?: string
}

// Shared through globalThis: a plugin may bundle its own copy of this package, and its codes must
// still reach the engine's registry.
const REGISTRY_KEY = Symbol.for('pipewright.error-codes')
function registry(): Map<string, RegisteredCode> {
  const g = globalThis as { [REGISTRY_KEY]?: Map<string, RegisteredCode> }
  if (!g[REGISTRY_KEY]) g[REGISTRY_KEY] = new Map(Object.entries(ERROR_CODES))
  return g[REGISTRY_KEY]
}

/** The prefix every code of a plugin starts with: `docker` → `PW_ERR_DOCKER_`. */
export function pluginErrorPrefix(pluginId: string): string {
  return `PW_ERR_${pluginId.toUpperCase().replace(/-/g, '_')}_`
}

/**
 * Checks a plugin's codes (names, prefix, fields) and returns every problem; registers nothing.
 * The engine calls it when it loads the plugin, and refuses the plugin if anything is wrong.
 */
export function checkErrorCodes(pluginId: string, codes: Record<string, ErrorCodeInfo>): string[] {
  const prefix = pluginErrorPrefix(pluginId)
  const problems: string[] = []
  for (const [code, info] of Object.entries(codes)) {
    if (!ERROR_CODE_PATTERN.test(code) || !code.startsWith(prefix) || code.length === prefix.length) {
      problems.push(`error code ${code} must match ${prefix}<WHAT> (upper case, digits and _)`)
      continue
    }
    const owner = registry().get(code)
    if (owner && owner.plugin !== pluginId) problems.push(`error code ${code} is already registered by ${owner.plugin ? `plugin ${owner.plugin}` : 'the engine'}`)
    if (!info || typeof info.title !== 'string' || typeof info.fix !== 'string' || !Number.isInteger(info.exit) || !Number.isInteger(info.http)) {
      problems.push(`error code ${code} needs a title, a fix, an exit code and an HTTP status`)
    }
  }
  return problems
}

/** Adds a plugin's codes to the registry (after `checkErrorCodes` found nothing wrong). */
export function registerErrorCodes(pluginId: string, codes: Record<string, ErrorCodeInfo>): void {
  for (const [code, info] of Object.entries(codes)) registry().set(code, { title: info.title, exit: info.exit, http: info.http, fix: info.fix, plugin: pluginId })
}

/** What a code means, with the plugin that registered it; undefined for a code nobody registered. */
export function errorCodeInfo(code: string): (ErrorCodeInfo & { plugin?: string }) | undefined {
  return registry().get(code)
}

/** Every registered code: the engine's, then plugins' in registration order. */
export function registeredErrorCodes(): Record<string, ErrorCodeInfo & { plugin?: string }> {
  return Object.fromEntries(registry())
}

/** Declares a plugin's error codes, keeping their literal names for `new PipewrightError(...)`. */
export function defineErrorCodes<const T extends Record<`PW_ERR_${string}`, ErrorCodeInfo>>(codes: T): T {
  return codes
}

const UNKNOWN_CODE: ErrorCodeInfo = { title: 'Error', exit: 1, http: 500, fix: 'See the message; the code is not registered, so no general fix is known.' }

/** One problem in a validation report: where it is and what is wrong. */
export interface Problem {
  /** Dotted path into the pipeline, e.g. `stages.build.with.tag`. */
  path: string
  message: string
  /** Source file, 1-based line and column, when known (YAML input). */
  file?: string
  line?: number
  column?: number
  code?: ErrorCode
  /** How to fix this problem, when the message alone does not say (may span lines, e.g. an example). */
  details?: string
}

export interface PipewrightErrorOptions {
  /** How to fix this particular instance; defaults to the code's general fix. */
  details?: string
  problems?: Problem[]
  cause?: unknown
  /** The plugin the error came from (set by the engine when a plugin hook throws). */
  plugin?: string
}

export class PipewrightError extends Error {
  readonly code: ErrorCode
  readonly details: string
  readonly problems: Problem[]
  /** The plugin the error came from, when a plugin threw it (or registered its code). */
  plugin: string | undefined

  constructor(code: ErrorCode, message: string, options: PipewrightErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'PipewrightError'
    this.code = code
    const info = errorCodeInfo(code)
    this.details = options.details ?? (info ?? UNKNOWN_CODE).fix
    this.problems = options.problems ?? []
    this.plugin = options.plugin ?? info?.plugin
  }

  /** Process exit code the CLI uses for this error (1 for a code nobody registered). */
  get exitCode(): number {
    return (errorCodeInfo(this.code) ?? UNKNOWN_CODE).exit
  }

  /** HTTP status the server uses for this error (500 for a code nobody registered). */
  get httpStatus(): number {
    return (errorCodeInfo(this.code) ?? UNKNOWN_CODE).http
  }

  toJSON(): { code: ErrorCode; message: string; details: string; problems: Problem[]; plugin?: string } {
    return { code: this.code, message: this.message, details: this.details, problems: this.problems, ...(this.plugin ? { plugin: this.plugin } : {}) }
  }
}

export function isPipewrightError(value: unknown): value is PipewrightError {
  return value instanceof PipewrightError || (typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'PipewrightError' && typeof (value as { code?: unknown }).code === 'string')
}

/** Formats a problem as `file:line:col path: message` for terminals. */
export function formatProblem(p: Problem): string {
  const where = p.file ? `${p.file}${p.line ? `:${p.line}${p.column ? `:${p.column}` : ''}` : ''} ` : ''
  return `${where}${p.path ? `${p.path}: ` : ''}${p.message}`
}
