// Regenerates docs/errors.md from ERROR_CODES. From the repository root:
//   pnpm --filter @pipewright/core exec node --conditions=@pipewright/source --import jiti/register ../plugin-api/scripts/gen-errors.ts
// (jiti is a dependency of @pipewright/core, so the command runs with that package's directory as cwd.)
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { renderErrorReference } from '../src/errors-doc.js'

const target = fileURLToPath(new URL('../../../docs/errors.md', import.meta.url))
writeFileSync(target, renderErrorReference())
console.log(`wrote ${target}`)
