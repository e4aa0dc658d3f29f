import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { firstPartyErrorReference } from '../src/error-reference.js'

const docFile = fileURLToPath(new URL('../../../docs/errors.md', import.meta.url))

describe('docs/errors.md', () => {
  it('matches the registry: the engine\'s codes and each first-party plugin\'s', async () => {
    const generated = await firstPartyErrorReference()
    // On failure: a code was added or changed; regenerate with `pnpm docs:generate`.
    expect(readFileSync(docFile, 'utf8'), 'docs/errors.md is stale; run: pnpm docs:generate').toBe(generated)
    expect(generated).toContain('## Plugin `docker`')
    expect(generated).toContain('| `PW_ERR_GIT_AUTH` |')
  })
})
