import { createServer, type Server } from 'node:net'

/**
 * Asks the kernel for `count` distinct free TCP ports on 127.0.0.1.
 *
 * All listeners are held open until every port is known, so the ports are distinct from one
 * another. They are free when returned, not reserved: another process may take one before the
 * caller binds it, so callers that spawn servers should retry on `EADDRINUSE`.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = []
  try {
    const ports: number[] = []
    for (let i = 0; i < count; i++) {
      const server = createServer()
      servers.push(server)
      ports.push(await listenOnLoopback(server))
    }
    return ports
  } finally {
    await Promise.all(servers.map((server) => closeServer(server)))
  }
}

/** Asks the kernel for one free TCP port on 127.0.0.1 (see {@link freePorts} for the caveat). */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1)
  if (port === undefined) throw new Error('freePort: no port was allocated')
  return port
}

function listenOnLoopback(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address()
      if (address === null || typeof address === 'string') {
        reject(new Error('freePort: the listener has no TCP address'))
      } else {
        resolve(address.port)
      }
    })
  })
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) resolve()
    else server.close(() => resolve())
  })
}
