import { spawn } from 'node:child_process'
import { PipewrightError, type ExecOptions, type ExecResult } from '@pipewright/plugin-api'

export interface ExecEnvironment {
  cwd: string
  env: Record<string, string>
  signal: AbortSignal
  onLine(stream: 'stdout' | 'stderr', line: string): void
  stageId: string
}

/** Runs a command like the engine's local executor: `sh -c` for strings, argv for arrays, its own process group. */
export function execCommand(command: string | string[], options: ExecOptions, host: ExecEnvironment): Promise<ExecResult> {
  const [file, ...args] = typeof command === 'string' ? ['sh', '-c', command] : command
  if (!file) throw new PipewrightError('PW_ERR_USAGE', `exec() in stage ${host.stageId} got an empty command`)
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd ?? host.cwd,
      env: { ...process.env, ...host.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    })
    const out = { stdout: '', stderr: '' }
    const pending = { stdout: '', stderr: '' }
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream].setEncoding('utf8')
      child[stream].on('data', (chunk: string) => {
        out[stream] += chunk
        const lines = (pending[stream] + chunk).split('\n')
        pending[stream] = lines.pop() ?? ''
        if (options.log !== false) for (const line of lines) host.onLine(stream, line)
      })
    }
    const kill = () => {
      // The whole group, so grandchildren of `sh -c` die too.
      if (child.pid) try { process.kill(-child.pid, 'SIGTERM') } catch { /* already gone */ }
    }
    host.signal.addEventListener('abort', kill, { once: true })
    child.on('error', (error) => {
      host.signal.removeEventListener('abort', kill)
      reject(new PipewrightError('PW_ERR_STAGE_FAILED', `Stage ${host.stageId}: cannot start ${file}: ${error.message}`, { cause: error }))
    })
    child.on('close', (code, signal) => {
      host.signal.removeEventListener('abort', kill)
      if (options.log !== false) for (const s of ['stdout', 'stderr'] as const) if (pending[s]) host.onLine(s, pending[s])
      const result: ExecResult = { exitCode: code ?? 1, signal, stdout: out.stdout, stderr: out.stderr }
      if (options.check && result.exitCode !== 0) {
        reject(new PipewrightError('PW_ERR_STAGE_FAILED', `Stage ${host.stageId}: ${file} exited with code ${result.exitCode}`))
      } else resolve(result)
    })
    child.stdin.end(options.input ?? '')
  })
}
