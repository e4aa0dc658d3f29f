// Regenerates docs/pipeline-reference.md from the pipeline schema. From the repo root:
//   pnpm --filter @pipewright/core exec node --conditions=@pipewright/source --import jiti/register scripts/gen-reference.ts
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { renderPipelineReference } from '../src/pipeline/reference.js'

const target = fileURLToPath(new URL('../../../docs/pipeline-reference.md', import.meta.url))
writeFileSync(target, renderPipelineReference())
console.log(`wrote ${target}`)
