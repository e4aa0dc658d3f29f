import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'

export const packageDir = dirname(dirname(fileURLToPath(import.meta.url)))

/** The real PostgreSQL the tests use (trust auth on 127.0.0.1; `bash tools/services/postgres.sh` starts it). */
export const POSTGRES_URL = process.env.PIPEWRIGHT_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres'

/** A schema of its own for one test (dropped by `cleanup`), so tests never see each other's rows. */
export async function tempSchema(): Promise<{ schema: string; cleanup(): Promise<void> }> {
  const schema = `pw_test_${randomBytes(6).toString('hex')}`
  return {
    schema,
    async cleanup() {
      const client = new pg.Client({ connectionString: POSTGRES_URL })
      await client.connect()
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      } finally {
        await client.end()
      }
    },
  }
}

/** Starts `tests/fixtures/<script>` in a real Node process (sources through jiti). */
export function startFixture(script: string, args: string[]) {
  const child = spawn(process.execPath, ['--conditions=@pipewright/source', '--import', 'jiti/register', join('tests/fixtures', script), ...args], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
  return { child, exited }
}
