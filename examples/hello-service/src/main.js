import { createHelloServer } from './server.js'

const port = Number(process.env.PORT ?? 8080)
createHelloServer().listen(port, '127.0.0.1', () => console.log(`hello-service listening on 127.0.0.1:${port}`))
