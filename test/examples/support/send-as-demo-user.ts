import type { RequestListener } from 'node:http'
import request, { type Response } from 'supertest'

/** One request of an example's table: who sends it (a demo user, or nobody) and what. */
export interface DemoCall {
  /** A demo user's id, sent as `Authorization: Bearer demo-<user>`; `undefined` sends no header. */
  readonly user: string | undefined
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  readonly path: string
  /** A JSON body. */
  readonly body?: unknown
  /** More headers, e.g. `x-act-as`. */
  readonly headers?: Readonly<Record<string, string>>
}

/** Sends a {@link DemoCall} to an app (or a URL) with supertest. */
export function sendAsDemoUser(
  app: RequestListener | string,
  { user, method, path, body, headers = {} }: DemoCall,
): Promise<Response> {
  const agent = request(app)
  let req =
    method === 'GET'
      ? agent.get(path)
      : method === 'POST'
        ? agent.post(path)
        : method === 'PUT'
          ? agent.put(path)
          : agent.delete(path)
  if (user !== undefined) req = req.set('authorization', `Bearer demo-${user}`)
  for (const [name, value] of Object.entries(headers)) req = req.set(name, value)
  return body === undefined ? req : req.send(body as object)
}

/** The body of a response: parsed JSON (problem bodies included), else the text. */
export function bodyOf(res: Response): unknown {
  const type = String(res.headers['content-type'] ?? '')
  return type.includes('json') ? (JSON.parse(res.text) as unknown) : res.text
}
