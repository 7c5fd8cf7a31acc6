import type { ParameterizedContext } from 'koa'

/** The parsed JSON body when it is an object; `{}` for anything else (handlers validate fields). */
export function bodyOf(ctx: ParameterizedContext): Readonly<Record<string, unknown>> {
  const body = ctx.request.body
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {}
}

/** A non-empty trimmed string field, or `undefined`. */
export function textField(
  body: Readonly<Record<string, unknown>>,
  name: string,
): string | undefined {
  const value = body[name]
  if (typeof value !== 'string') return undefined
  const text = value.trim()
  return text === '' ? undefined : text
}
