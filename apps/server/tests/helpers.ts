import { createEngine, type Engine, type EngineOptions } from '@pipewright/core'
import deployPlugin from '@pipewright/plugin-deploy'
import gitPlugin from '@pipewright/plugin-git'
import { createSqliteStore } from '@pipewright/store-sqlite'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApiToken, createServer, type PipewrightServer, type ServerOptions } from '../src/index.js'

export interface TestServer {
  server: PipewrightServer
  engine: Engine
  url: string
  dir: string
  tokens: Record<'viewer' | 'operator' | 'approver' | 'admin', string>
  /** fetch against the server with a role's token. */
  api(path: string, init?: RequestInit & { as?: keyof TestServer['tokens'] | null; json?: unknown }): Promise<Response>
  close(): Promise<void>
}

export function tempDir(prefix = 'pw-server-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** A real server on 127.0.0.1 (a free port) over a real engine and SQLite store in a temp dir. */
export async function startTestServer(pipelines: Record<string, string>, extra: Partial<ServerOptions> & { dir?: string; services?: EngineOptions['services']; plugins?: EngineOptions['plugins'] } = {}): Promise<TestServer> {
  const { services, plugins = [], ...options } = extra
  const dir = extra.dir ?? tempDir()
  const files = Object.entries(pipelines).map(([name, text]) => {
    const file = join(dir, name)
    writeFileSync(file, text)
    return file
  })
  const store = createSqliteStore({ dir: join(dir, '.pipewright') })
  const engine = createEngine({ store, cwd: dir, pins: 'off', env: { PATH: process.env.PATH }, plugins: [deployPlugin, gitPlugin, ...plugins], ...(services ? { services } : {}) })
  const server = await createServer({ engine, pipelines: files, ...options })
  const url = await server.listen({ host: '127.0.0.1', port: 0 })
  const tokens = {} as TestServer['tokens']
  for (const role of ['viewer', 'operator', 'approver', 'admin'] as const) await store.revokeApiToken(`${role}-user`, Date.now())
  for (const role of ['viewer', 'operator', 'approver', 'admin'] as const) tokens[role] = (await createApiToken(store, { name: `${role}-user`, role })).token
  return {
    server, engine, url, dir, tokens,
    api(path, init = {}) {
      const { as = 'admin', json, ...rest } = init
      const headers = new Headers(rest.headers)
      if (as) headers.set('authorization', `Bearer ${tokens[as]}`)
      if (json !== undefined) headers.set('content-type', 'application/json')
      return fetch(`${url}${path}`, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json), method: rest.method ?? 'POST' } : {}) })
    },
    async close() {
      await server.close()
      await engine.close()
      if (!extra.dir) rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** A JSON answer in a test: checked by the assertions, not by the type system. */
export type Json = any
