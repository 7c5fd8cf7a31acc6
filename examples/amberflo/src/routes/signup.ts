import type Router from '@koa/router'
import type { Deps } from '../deps.js'
import { parseEmail } from '../directory.js'
import { admitMember } from '../members.js'
import { oneTimeTokens } from '../one-time-tokens.js'
import { ProblemError } from '../problem.js'
import { bodyOf, textField } from '../request-body.js'

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Mailbox providers whose users share no company: the first gmail.com user must not become the
 * Administrator of every other gmail.com user. Extend the list for your market.
 */
const FREE_MAIL = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'yahoo.com',
  'icloud.com',
])

/**
 * Self-service signup. The address is proved by a link sent to it, never by the request: a client
 * that could say `email_verified: true` could make itself Administrator of any domain.
 *
 * - `POST /signup {email, name?}` sends the link (202).
 * - `POST /signup/verify {token}` creates the member. The first verified user of a domain creates
 *   its account and becomes its Administrator; later ones join it with no role until an
 *   Administrator gives them one.
 */
export function signupRoutes(router: Router, deps: Deps): void {
  const { directory, sessions, mailer } = deps
  const pending = oneTimeTokens<{ email: string; name: string }>({ ttlMs: DAY_MS })

  router.post('/signup', async (ctx) => {
    const body = bodyOf(ctx)
    const parsed = parseEmail(body['email'])
    if (parsed === undefined)
      throw new ProblemError(
        422,
        'invalid-field',
        'Invalid field',
        '"email" must be an email address.',
        {
          field: 'email',
        },
      )
    if (FREE_MAIL.has(parsed.domain))
      throw new ProblemError(
        422,
        'work-email-required',
        'Work email required',
        `Sign up with your company's address, not ${parsed.domain}.`,
        { field: 'email' },
      )
    const name = textField(body, 'name') ?? parsed.email.slice(0, parsed.email.indexOf('@'))
    const token = pending.issue({ email: parsed.email, name })
    await mailer({
      to: parsed.email,
      subject: 'Verify your email to finish signing up to Amberflo',
      text: `Verify: POST /signup/verify {"token":"${token}"}`,
      token,
    })
    // The same answer whether or not the address is a member already: signup tells no one who is.
    ctx.status = 202
    ctx.body = { email: parsed.email, status: 'verification-sent' }
  })

  router.post('/signup/verify', async (ctx) => {
    const signup = pending.take(textField(bodyOf(ctx), 'token') ?? '')
    if (signup === undefined)
      throw new ProblemError(
        400,
        'invalid-token',
        'Invalid token',
        'The verification link is unknown, used or expired.',
      )
    const { email, name } = signup
    const account = email.slice(email.indexOf('@') + 1)
    if (directory.byEmail(email) !== undefined)
      throw new ProblemError(
        409,
        'already-member',
        'Already a member',
        `${email} is already a member.`,
      )
    // One synchronous step: two verifications of the same new domain cannot both be first.
    const first = directory.claimAccount(account)
    const member = await admitMember(
      { directory, assignments: deps.stores.assignments },
      { email, name, account },
      first ? 'administrator' : null,
    ).catch((error: unknown) => {
      // Otherwise the domain would have an account that nobody administers.
      if (first) directory.releaseAccount(account)
      throw error
    })
    ctx.status = 201
    ctx.body = { member, token: sessions.issue(member.id) }
  })
}
