import { createServer } from 'node:net'

const handedOut = new Set<number>()

/**
 * A free port on 127.0.0.1, asked of the OS (port 0). Never the same twice in this process, so
 * instances started at once cannot collide; another process may still take it before the
 * instance listens, which its health check then reports.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer()
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => {
        const address = server.address()
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
      })
    })
    if (port > 0 && !handedOut.has(port)) {
      handedOut.add(port)
      return port
    }
  }
}

/** Says a port is free again (its instance stopped). */
export function releasePort(port: number): void {
  handedOut.delete(port)
}
