import type { Request } from 'express'

/** The `:id` route parameter (Express 5 types parameters as `string | string[]`). */
export const idOf = (req: Request): string => String(req.params['id'])

/** Whether a request body is a JSON object. */
export const isRecord = (body: unknown): body is Record<string, unknown> =>
  typeof body === 'object' && body !== null && !Array.isArray(body)
