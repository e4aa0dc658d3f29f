import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createEngine } from '../../src/engine/engine.js'
import { runFile, tempProject, type TempProject } from './helpers.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'Eve', GIT_AUTHOR_EMAIL: 'eve@example.com', GIT_COMMITTER_NAME: 'Eve', GIT_COMMITTER_EMAIL: 'eve@example.com' }
const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, env: gitEnv, encoding: 'utf8' }).trim()

describe('${{ }} values in run: scripts', () => {
  it('a commit message with a newline and EOF stays text inside a here-document', async () => {
    project = await tempProject(`
name: heredoc
stages:
  notes:
    run: |
      cat <<EOF
      message: \${{ git.message }}
      EOF
`)
    git(project.dir, 'init', '-q', '-b', 'main')
    git(project.dir, 'add', '.')
    git(project.dir, 'commit', '-q', '-m', 'fix: x\nEOF\ntouch pwned\ncat <<EOF')
    const { result, logs } = await runFile(project.file)
    expect(result.status).toBe('succeeded')
    expect(existsSync(join(project.dir, 'pwned'))).toBe(false)
    expect(logs('notes')).toEqual(['message: fix: x', 'EOF', 'touch pwned', 'cat <<EOF'])
  })

  it('a comment cannot change how a later value is quoted', async () => {
    project = await tempProject(`
name: comments
stages:
  echo:
    run: |
      # don't: cat <<'EOF' is not here
      echo "v: \${{ vars.x }}"
`)
    const x = '1"; touch pwned; echo "'
    const { result, logs } = await runFile(project.file, { vars: { x } })
    expect(result.status).toBe('succeeded')
    expect(existsSync(join(project.dir, 'pwned'))).toBe(false)
    expect(logs('echo')).toEqual([`v: ${x}`])
  })

  it('an expression inside a quoted here-document is refused before the run, at its line and column', async () => {
    project = await tempProject(`name: quoted
stages:
  notes:
    run: |
      cat <<'EOF'
      message: \${{ git.message }}
      EOF
`)
    const problems = await createEngine().validate(project.file)
    expect(problems).toEqual([
      expect.objectContaining({
        path: 'stages.notes.run',
        line: 6,
        column: 16,
        code: 'PW_ERR_EXPRESSION',
        message: expect.stringMatching(/^\$\{\{ git\.message \}\} at line 2, column 10 of the script is inside a quoted here-document .*quote nothing in the delimiter \(<<EOF/),
      }),
    ])
  })
})
