import { createHelloServer } from './server.js'

const port = Number(process.env.PORT ?? 8080)
// Deployed by Pipewright, an instance is told its version (PIPEWRIGHT_VERSION) by the agent.
const version = process.env.APP_VERSION ?? process.env.PIPEWRIGHT_VERSION
createHelloServer(version ? { version } : {}).listen(port, '127.0.0.1', () => console.log(`hello-service listening on 127.0.0.1:${port}`))
