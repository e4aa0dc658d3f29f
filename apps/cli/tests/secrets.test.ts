import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeProject, removeProject, runCli } from './helpers/cli.js'

const TOKEN = 'p@ss w0rd/+=xyz-71'
const CERT_LINES = ['mlsecretLINEone', 'mlsecretLINEtwo']

const PIPELINE = `name: secrets
secrets: [TOKEN, CERT]
stages:
  leak:
    env:
      TOKEN: \${{ secrets.TOKEN }}
      CERT: \${{ secrets.CERT }}
    run: |
      echo "plain: $TOKEN"
      printf 'b64: %s\\n' "$(printf %s "$TOKEN" | base64)"
      node -e 'console.log("url: " + encodeURIComponent(process.env.TOKEN))'
      echo "$CERT"
`

/** Every form of the secrets that must never be shown or stored. */
const FORMS = [TOKEN, Buffer.from(TOKEN).toString('base64'), encodeURIComponent(TOKEN), ...CERT_LINES]

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir)) {
    const path = join(dir, entry)
    if ((await stat(path)).isDirectory()) out.push(...(await filesUnder(path)))
    else out.push(path)
  }
  return out
}

let dir: string
let home: string
beforeAll(async () => {
  dir = await makeProject({ 'pipewright.yml': PIPELINE, 'secrets.env': `CERT="${CERT_LINES.join('\\n')}"\n` })
  home = join(dir, 'home')
})
afterAll(async () => {
  await removeProject(dir)
})

describe('secrets', () => {
  it('are masked in output (plain, base64, URL-encoded, multiline) and absent from the store files', async () => {
    expect(encodeURIComponent(TOKEN)).not.toBe(TOKEN)
    const r = await runCli(['--home', home, 'run', '--secret-file', 'secrets.env'], { cwd: dir, env: { PIPEWRIGHT_SECRET_TOKEN: TOKEN } })
    expect(r.code).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines).toEqual(expect.arrayContaining(['leak │ plain: ***', 'leak │ b64: ***', 'leak │ url: ***']))
    for (const form of FORMS) {
      expect(r.stdout).not.toContain(form)
      expect(r.stderr).not.toContain(form)
    }

    const runId = (JSON.parse((await runCli(['--home', home, 'runs', '--json'], { cwd: dir })).stdout) as Array<{ id: string }>)[0]?.id ?? ''
    const logs = await runCli(['--home', home, 'logs', runId, 'leak'], { cwd: dir })
    expect(logs.stdout).toContain('plain: ***')
    for (const form of FORMS) expect(logs.stdout).not.toContain(form)

    const files = await filesUnder(home)
    expect(files.some((f) => f.endsWith('pipewright.db'))).toBe(true)
    for (const file of files) {
      const bytes = await readFile(file)
      for (const form of FORMS) expect(bytes.includes(Buffer.from(form)), `${form} found in ${file}`).toBe(false)
    }
  })

  it('a declared secret nobody provides stops the run before it starts, naming it but no value', async () => {
    const r = await runCli(['--home', home, 'run'], { cwd: dir, env: { PIPEWRIGHT_SECRET_TOKEN: TOKEN } })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^error PW_ERR_SECRET_MISSING: .*CERT/m)
    expect(r.stderr).not.toContain(TOKEN)
  })
})
