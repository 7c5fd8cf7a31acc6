import { Agent, request, type RequestListener } from 'node:http'
import type { Socket } from 'node:net'
import { listenOnLoopback } from './loopback-listener.js'

/** An answer, and the client's socket it came on. */
export interface KeptAliveAnswer {
  readonly status: number
  readonly text: string
  readonly socket: Socket
}

/** A server on loopback and a client that keeps one connection to it alive between requests. */
export interface KeepAliveClient {
  /** GETs `path`; rejects when the connection is closed before a whole answer. */
  get(path: string): Promise<KeptAliveAnswer>
  close(): Promise<void>
}

/**
 * Serves `listener` on 127.0.0.1 and asks it over one kept-alive connection, so a test can tell
 * whether the server left the connection open for the next request (the same `socket`) or closed
 * it. supertest opens a connection per request and cannot tell.
 */
export async function keepAliveClient(listener: RequestListener): Promise<KeepAliveClient> {
  const server = await listenOnLoopback()
  server.serve(listener)
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  return {
    get: (path) =>
      new Promise((resolve, reject) => {
        const asked = request(`${server.url}${path}`, { agent }, (response) => {
          let text = ''
          response.setEncoding('utf8')
          response.on('data', (chunk: string) => (text += chunk))
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, text, socket: asked.socket as Socket }),
          )
          response.on('error', reject)
        })
        asked.on('error', reject)
        asked.end()
      }),
    close: async () => {
      agent.destroy()
      await server.close()
    },
  }
}
