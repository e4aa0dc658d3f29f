import type { ExpressionContext } from './types.js'

/** A full expression context for tests; override what a test is about. */
export function makeContext(overrides: Partial<ExpressionContext> = {}): ExpressionContext {
  return {
    env: { NODE_ENV: 'production', EMPTY: '' },
    secrets: { TOKEN: 's3cr3t' },
    vars: { region: 'eu-west-1' },
    matrix: { node: 20, os: 'linux' },
    stages: { build: { outputs: { tag: 'v1.2.3', list: '["a","b"]' }, status: 'succeeded' } },
    run: { id: 'run-1', pipeline: 'demo' },
    git: { sha: 'abcdef0123456789', shortSha: 'abcdef0', branch: 'main', message: 'Fix it', author: 'Ada', root: '/repo' },
    status: { success: true, failure: false, cancelled: false },
    ...overrides,
  }
}
