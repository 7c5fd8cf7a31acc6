/** An email the app sends: a verification link or an invitation. */
export interface Mail {
  readonly to: string
  readonly subject: string
  readonly text: string
  /** The token the link carries, for tests and for the demo's console. */
  readonly token: string
}

/** Sends mail. Give your mail service here; the default prints to the console. */
export type Mailer = (mail: Mail) => void | Promise<void>

/** Prints mail to the console: enough for the demo. */
export const consoleMailer: Mailer = (mail) => {
  console.log(`[mail] to ${mail.to}: ${mail.subject}\n       ${mail.text}`)
}
