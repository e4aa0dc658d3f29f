import { defineErrorCodes } from '@pipewright/plugin-api'

/** The notification plugin's error codes, registered when the plugin loads (`docs/errors.md`). */
export const NOTIFICATION_ERRORS = defineErrorCodes({
  PW_ERR_NOTIFICATION_DELIVERY: {
    title: 'Notification not delivered',
    exit: 1,
    http: 502,
    fix: 'The receiver kept failing (5xx, 429, no connection or a time-out) through every retry: check that it is up and reachable from here, or raise `retry.attempts`.',
  },
  PW_ERR_NOTIFICATION_REJECTED: {
    title: 'Notification refused by the receiver',
    exit: 1,
    http: 502,
    fix: 'The receiver answered a 4xx (not retried): check the URL, the signing secret and what the receiver expects.',
  },
  PW_ERR_NOTIFICATION_EMAIL: {
    title: 'E-mail not sent',
    exit: 1,
    http: 502,
    fix: 'Check the SMTP host, port, `secure`/`starttls`, the credentials secret and the addresses; the SMTP server\'s answer is in the message.',
  },
  PW_ERR_NOTIFICATION_FILE: {
    title: 'Notification file not written',
    exit: 1,
    http: 500,
    fix: 'Check that the directory of `path` can be created and written, and that the disk is not full.',
  },
})
