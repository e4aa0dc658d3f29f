// The agent process: `node main.js --home <dir> [--plugin <package or path>]...`, started detached
// by ensureAgent (or in the foreground by `pipewright agent start`).
import 'reflect-metadata'
import { runAgent } from './run-agent.js'

function parse(argv: string[]): { home?: string; plugins: string[] } {
  const out: { home?: string; plugins: string[] } = { plugins: [] }
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--home') out.home = argv[++i]
    else if (argv[i] === '--plugin') out.plugins.push(argv[++i] ?? '')
  }
  return out
}

const args = parse(process.argv.slice(2))
if (!args.home) {
  process.stderr.write('usage: main.js --home <dir> [--plugin <package or path>]...\n')
  process.exit(2)
}
try {
  const running = await runAgent({ home: args.home, plugins: args.plugins })
  if (running) await running.closed
  process.exit(0)
} catch (error) {
  process.stderr.write(`${new Date().toISOString()} agent failed to start: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
}
