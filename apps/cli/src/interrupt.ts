/**
 * Ctrl-C handling for long commands: the first SIGINT/SIGTERM asks politely (`onFirst`),
 * a second one exits at once with 130. Returns a function that removes the handlers.
 */
export function onInterrupt(onFirst: (signal: NodeJS.Signals) => void): () => void {
  let received = 0
  const handler = (signal: NodeJS.Signals) => {
    received += 1
    if (received === 1) onFirst(signal)
    else process.exit(130)
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return () => {
    process.off('SIGINT', handler)
    process.off('SIGTERM', handler)
  }
}
