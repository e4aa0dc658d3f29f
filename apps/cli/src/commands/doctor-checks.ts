import { execFile } from 'node:child_process'
import { request } from 'node:http'
import { promisify } from 'node:util'

/** One line of `pipewright doctor`. A `fail` of a required check makes the command exit 1. */
export interface CheckResult {
  name: string
  status: 'ok' | 'warn' | 'fail'
  detail: string
  fix?: string
}

const MIN_NODE: [number, number] = [20, 19]

export function checkNode(version: string = process.versions.node): CheckResult {
  const [major = 0, minor = 0] = version.split('.').map(Number)
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1])
  return ok
    ? { name: 'node', status: 'ok', detail: `Node.js ${version}` }
    : { name: 'node', status: 'fail', detail: `Node.js ${version} is older than ${MIN_NODE.join('.')}`, fix: 'Install Node.js 20.19 or newer (22 LTS works too).' }
}

export async function checkGit(): Promise<CheckResult> {
  try {
    const { stdout } = await promisify(execFile)('git', ['--version'], { timeout: 5000 })
    return { name: 'git', status: 'ok', detail: stdout.trim() }
  } catch (error) {
    return {
      name: 'git',
      status: 'fail',
      detail: `git could not be started: ${error instanceof Error ? error.message : String(error)}`,
      fix: 'Install git and make sure it is on PATH (checkout, change detection and watch need it).',
    }
  }
}

/** Where DOCKER_HOST points, as node:http request options; undefined for schemes we cannot ping. */
export function dockerEndpoint(dockerHost: string | undefined): { socketPath: string } | { host: string; port: number } | undefined {
  const value = dockerHost && dockerHost !== '' ? dockerHost : 'unix:///var/run/docker.sock'
  if (value.startsWith('unix://')) return { socketPath: value.slice('unix://'.length) }
  if (value.startsWith('tcp://') || value.startsWith('http://')) {
    const url = new URL(value.replace(/^tcp:/, 'http:'))
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 2375) }
  }
  return undefined
}

/** Pings the Engine API (`GET /_ping`). Unreachable is a warning: only docker stages need it. */
export async function checkDocker(dockerHost: string | undefined): Promise<CheckResult> {
  const shown = dockerHost && dockerHost !== '' ? dockerHost : 'unix:///var/run/docker.sock (default)'
  const endpoint = dockerEndpoint(dockerHost)
  const warn = (detail: string): CheckResult => ({
    name: 'docker',
    status: 'warn',
    detail,
    fix: 'Only docker/* stages need an engine: start one and point DOCKER_HOST at it (unix:///path/docker.sock or tcp://host:port).',
  })
  if (!endpoint) return warn(`DOCKER_HOST=${dockerHost} uses a scheme doctor cannot check`)
  return new Promise((resolvePromise) => {
    const req = request({ ...endpoint, path: '/_ping', method: 'GET', timeout: 3000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => {
        const version = res.headers['api-version']
        if (res.statusCode === 200) resolvePromise({ name: 'docker', status: 'ok', detail: `engine reachable at ${shown}${version ? ` (API ${String(version)})` : ''}` })
        else resolvePromise(warn(`engine at ${shown} answered ${res.statusCode}: ${body.slice(0, 80)}`))
      })
    })
    req.on('timeout', () => req.destroy(new Error('timed out after 3s')))
    req.on('error', (error) => resolvePromise(warn(`no engine reachable at ${shown}: ${error.message}`)))
    req.end()
  })
}
