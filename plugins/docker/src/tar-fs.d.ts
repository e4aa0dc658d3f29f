// tar-fs 3 ships no types; this covers the part the plugin uses.
declare module 'tar-fs' {
  import type { Readable } from 'node:stream'

  export interface PackOptions {
    /** Absolute path of each entry; return true to leave it (and, for a directory, its contents) out. */
    ignore?: (name: string) => boolean
    entries?: string[]
    dereference?: boolean
  }

  export function pack(cwd: string, options?: PackOptions): Readable

  const tar: { pack: typeof pack }
  export default tar
}
