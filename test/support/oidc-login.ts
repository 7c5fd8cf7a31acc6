import request, { type Agent, type Response } from 'supertest'

/** Options of {@link loginWithOidc}. */
export interface OidcLoginOptions {
  /** Base URL of the app under test, e.g. `http://127.0.0.1:4000`. */
  readonly appUrl: string
  /** The provider account to log in as (a key of `startOidcProvider`'s `accounts`). */
  readonly accountId: string
  /**
   * The app's route that starts the login (`passport.authenticate(...)` without a code).
   * @defaultValue `'/login'`
   */
  readonly loginPath?: string
}

/** The outcome of {@link loginWithOidc}. */
export interface OidcLogin {
  /** Holds the app's cookies: logged in when the callback succeeded. */
  readonly agent: Agent
  /** The app's answer to the provider's redirect back (its callback route). */
  readonly callback: Response
}

// Login, consent and the redirects between them take seven requests; more means a loop.
const MAX_PROVIDER_STEPS = 12

/**
 * Logs in to an app that uses `openid-client/passport`'s Strategy, as a given account of a
 * {@link startOidcProvider} provider, over real HTTP to both.
 *
 * It GETs the app's login route, follows the redirect to the provider, posts the provider's login
 * form (any password) and consent form, and follows the redirect back to the app's callback.
 * Each call uses a fresh provider cookie jar, so no earlier provider session is reused.
 *
 * It does not judge the callback: a test asserts `callback.status` (a redirect on success,
 * whatever the app answers on failure) and then uses `agent`.
 *
 * @throws Error when the app does not redirect to the provider, or the provider's pages are not
 *   what its development interactions serve.
 */
export async function loginWithOidc({
  appUrl,
  accountId,
  loginPath = '/login',
}: OidcLoginOptions): Promise<OidcLogin> {
  const agent = request.agent(appUrl)
  const start = await agent.get(loginPath)
  let next = redirectTarget(start, new URL(loginPath, appUrl))
  const provider = request.agent(next.origin)
  const appOrigin = new URL(appUrl).origin
  for (let step = 0; step < MAX_PROVIDER_STEPS; step += 1) {
    if (next.origin === appOrigin) {
      return { agent, callback: await agent.get(next.pathname + next.search) }
    }
    next = await providerStep(provider, next, accountId)
  }
  throw new Error(`no redirect back to ${appOrigin} after ${MAX_PROVIDER_STEPS} provider steps`)
}

/** Follows one provider redirect, or submits the login or consent form the provider shows. */
async function providerStep(provider: Agent, url: URL, accountId: string): Promise<URL> {
  const page = await provider.get(url.pathname + url.search)
  if (page.status !== 200) return redirectTarget(page, url)
  const form = interactionForm(page.text, url)
  const fields =
    form.prompt === 'login'
      ? { prompt: 'login', login: accountId, password: 'any' }
      : { prompt: form.prompt }
  const submitted = await provider
    .post(form.action.pathname + form.action.search)
    .type('form')
    .send(fields)
  return redirectTarget(submitted, form.action)
}

function interactionForm(html: string, base: URL): { action: URL; prompt: string } {
  const action = /<form[^>]*\saction="([^"]+)"/.exec(html)?.[1]
  const prompt = /<input type="hidden" name="prompt" value="([a-z_]+)"\/>/.exec(html)?.[1]
  if (action === undefined || prompt === undefined) {
    throw new Error(`expected an interaction form at ${base.href}, got: ${html.slice(0, 300)}`)
  }
  return { action: new URL(action.replaceAll('&amp;', '&'), base), prompt }
}

function redirectTarget(res: Response, from: URL): URL {
  const location = res.headers['location']
  if (res.status < 300 || res.status > 399 || location === undefined) {
    throw new Error(`expected a redirect from ${from.href}, got ${res.status}: ${res.text}`)
  }
  return new URL(location, from)
}
