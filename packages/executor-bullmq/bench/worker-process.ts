// One worker process of the benchmark: worker-process.ts <redisUrl> <queue> <concurrency>
import { startStageWorker } from '../src/index.js'

const [redisUrl, queue, concurrency] = process.argv.slice(2) as [string, string, string]
const worker = await startStageWorker({ redisUrl, queue, concurrency: Number(concurrency) })
process.stdout.write(`ready ${worker.id}\n`)
process.on('SIGTERM', () => void worker.close().then(() => process.exit(0)))
