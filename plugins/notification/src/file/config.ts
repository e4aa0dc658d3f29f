import { z } from '@pipewright/plugin-api'

/** `with:` of `notification/file`. */
export const FileConfig = z.strictObject({
  path: z.string().min(1).refine((p) => p.startsWith('/') || !p.split(/[\\/]/).includes('..'), {
    message: 'A relative path must stay inside the pipeline directory (no ..); or give an absolute path',
  }).describe('The JSON-lines file: relative to the pipeline file\'s directory (and confined to it), or absolute.'),
})
export type FileConfig = z.output<typeof FileConfig>
