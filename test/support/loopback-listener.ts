import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** An HTTP server on 127.0.0.1 that listens before it has an app: its URL is known first. */
export interface LoopbackListener {
  readonly url: string
  /** Hands every request to `listener` from now on. */
  serve(listener: RequestListener): void
  close(): Promise<void>
}

/**
 * Listens on a free loopback port, so an app whose configuration needs its own URL (an OIDC
 * callback, a SAML ACS URL) can be created afterwards and then served.
 */
export async function listenOnLoopback(): Promise<LoopbackListener> {
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    serve: (listener) => server.on('request', listener),
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      }),
  }
}
