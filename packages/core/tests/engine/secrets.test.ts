import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { PipewrightError } from '@pipewright/plugin-api'
import { createEngine } from '../../src/engine/engine.js'
import { secretForms, createRedactor } from '../../src/security/redact.js'
import { runFile, tempProject, type TempProject } from './helpers.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

const SECRET = 'p4ss:w/rd+Sëcret'

describe('secrets', () => {
  it('redacts plain, base64, URL-encoded and multiline forms from logs and outputs', async () => {
    project = await tempProject(`
name: secrets
secrets: [TOKEN, KEY]
stages:
  leak:
    env: { TOKEN: "\${{ secrets.TOKEN }}", KEY: "\${{ secrets.KEY }}" }
    run: |
      echo "plain $TOKEN"
      echo "b64 $(printf '%s' "$TOKEN" | base64)"
      echo "basic $(printf 'user:%s' "$TOKEN" | base64)"
      node -e 'console.log("url " + encodeURIComponent(process.env.TOKEN))'
      echo "$KEY"
      echo "out=$TOKEN" >> "$PIPEWRIGHT_OUTPUT"
`)
    const key = '-----BEGIN KEY-----\nAAAAB3NzaC1yc2EAAAADAQAB\n-----END KEY-----'
    const { logs, stage } = await runFile(project.file, { secrets: { TOKEN: SECRET, KEY: key } })
    const all = logs('leak').join('\n')
    expect(all).toContain('plain ***')
    expect(all).toContain('b64 ***')
    expect(all).toContain('url ***')
    for (const form of secretForms(SECRET)) expect(all).not.toContain(form)
    expect(all).not.toContain('AAAAB3NzaC1yc2EAAAADAQAB')
    expect(all).not.toContain(Buffer.from(`user:${SECRET}`).toString('base64').slice(8, 20))
    expect(stage('leak').outputs.out).toBe('***')
  })

  it('redacts URL-encoded forms whatever the case of their hex digits (%2B, %2b, mixed)', async () => {
    project = await tempProject(`
name: url-case
secrets: [TOKEN]
stages:
  leak:
    env: { TOKEN: "\${{ secrets.TOKEN }}" }
    run: |
      node -e 'const t = encodeURIComponent(process.env.TOKEN); console.log("lower", t.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())); console.log("mixed", t.replace("%2B", "%2b"))'
`)
    const { logs } = await runFile(project.file, { secrets: { TOKEN: SECRET } })
    expect(logs('leak')).toEqual(['lower ***', 'mixed ***'])
  })

  it('reads secrets from PIPEWRIGHT_SECRET_<NAME> and --secret-file', async () => {
    project = await tempProject(`
name: sources
secrets: [A, B]
stages:
  show: { run: 'echo "\${{ secrets.A }}-\${{ secrets.B }}" | wc -c' }
`)
    await writeFile(join(project.dir, '.secrets'), 'B=from-file\n')
    const engine = createEngine({ env: { ...process.env, PIPEWRIGHT_SECRET_A: 'from-env' } })
    const { stage, logs } = await runFile(project.file, { secretFile: join(project.dir, '.secrets') }, {}, engine)
    expect(stage('show').status).toBe('succeeded')
    expect(logs('show')).toEqual([String('from-env-from-file'.length + 1)])
  })

  it('fails before the run starts when a declared secret is missing', async () => {
    project = await tempProject(`
name: missing
secrets: [DEPLOY_TOKEN]
stages:
  x: { run: 'true' }
`)
    const engine = createEngine({ env: {} })
    const error = await engine.run(project.file).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PipewrightError)
    expect((error as PipewrightError).code).toBe('PW_ERR_SECRET_MISSING')
    expect((error as PipewrightError).details).toContain('PIPEWRIGHT_SECRET_DEPLOY_TOKEN')
    expect(await engine.store.listRuns()).toHaveLength(0)
  })

  it('an unreadable secret file is a clear error', async () => {
    project = await tempProject('name: f\nstages:\n  x: { run: "true" }\n')
    const error = await createEngine().run(project.file, { secretFile: join(project.dir, 'nope.env') }).catch((e: unknown) => e)
    expect((error as PipewrightError).code).toBe('PW_ERR_SECRET_FILE')
  })

  it('masks base64 of a secret at any alignment', () => {
    const redact = createRedactor(['hunter22'])
    for (const prefix of ['', 'a', 'ab', 'abc']) {
      const encoded = Buffer.from(`${prefix}hunter22-tail`).toString('base64')
      expect(redact(`x ${encoded} y`)).toContain('***')
    }
  })
})

describe('secrets in unusual places', () => {
  it('masks the JSON-escaped form, and a fromJSON error never quotes the value', async () => {
    project = await tempProject(`
name: json-secret
secrets: [TOKEN]
stages:
  print: { env: { T: "\${{ secrets.TOKEN }}" }, run: 'node -e "console.log(JSON.stringify({ token: process.env.T }))"' }
  parse: { run: 'echo "\${{ fromJSON(secrets.TOKEN) }}"' }
`)
    const token = 'he said "hi"\\nbye-hunter2sec'
    const { logs, stage } = await runFile(project.file, { secrets: { TOKEN: token } })
    expect(logs('print')).toEqual(['{"token":"***"}'])
    expect(stage('parse').status).toBe('failed')
    const error = JSON.stringify(stage('parse').error)
    expect(error).toContain('is not valid JSON')
    for (const fragment of ['hunter2', 'he said', 'bye-']) expect(error).not.toContain(fragment)
  })
})

describe('secret files', () => {
  it('refuses lines that are not NAME=value, naming their numbers but never their text', async () => {
    project = await tempProject('name: f\nsecrets: [A]\nstages:\n  x: { run: "true" }\n')
    await writeFile(join(project.dir, 'bad.env'), '# comment\nA=ok\nB="multi\nline"\nhunter2-oops\n\nexport C=3\n')
    const error = await createEngine().run(project.file, { secretFile: join(project.dir, 'bad.env') }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PW_ERR_SECRET_FILE', message: expect.stringMatching(/has a line that is not NAME=value: line 5$/) })
    expect(JSON.stringify(error)).not.toContain('hunter2')
  })
})

describe('working-directory', () => {
  it('a missing working-directory fails the stage saying so (not "command not found")', async () => {
    project = await tempProject('name: wd\nstages:\n  x: { working-directory: nowhere, run: "true" }\n')
    const { stage } = await runFile(project.file)
    expect(stage('x').error).toMatchObject({ code: 'PW_ERR_STAGE_FAILED', message: expect.stringContaining('working-directory nowhere does not exist') })
  })
})
