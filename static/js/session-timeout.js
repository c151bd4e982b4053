// Session timeout warning: the GOV.UK "warn users before a session times out"
// pattern, on a native <dialog> (templates/includes/session_timeout_dialog.html).
//
// The server renders, on the <dialog data-module="app-session-timeout">:
//   data-timeout-seconds  idle timeout length, counted from this page's request
//   data-warning-seconds  show the dialog this many seconds before expiry
//   data-status-url       GET -> {"seconds_remaining": N}; does not extend
//   data-extend-url       POST (CSRF) -> {"seconds_remaining": N}; extends
//   data-signout-url      page that signs the user out for inactivity
//   data-csrf-token       fallback CSRF token if the csrftoken cookie is unreadable
//
// Before the dialog opens the status URL is checked once, because another tab
// may have kept the session alive. "Stay signed in", or Escape, extends the
// session. When time runs out the status is checked one last time and the
// browser goes to the sign-out page.
//
// A page holding unsent work (the assessment's autosave) may keep the person on
// the page when time runs out: it cancels the "app:session-ended" event sent on
// document and shows its own sign-in dialog; when the person is signed in again
// it sends "app:session-renewed" and the countdown starts afresh.
//
// Screen readers hear the dialog's name and description when it opens; after
// that a polite live region speaks the time left once a minute, then at 40,
// 20 and 10 seconds. The visible countdown changes every second but is not
// live, so it is not read out each second.
//
// Plain ES2017, no dependencies, nothing kept in browser storage.

const TICK_MS = 500
const REQUEST_TIMEOUT_MS = 5000
const VISIBLE_RECHECK_MS = 5000
const LAST_MINUTE_ANNOUNCEMENTS = [10, 20, 40, 60]

function toSeconds (value) {
  const number = Number(value)
  return Number.isFinite(number) ? number : NaN
}

function plural (count, unit) {
  return count + ' ' + unit + (count === 1 ? '' : 's')
}

// 61 to 120 seconds is "2 minutes", 60 is "1 minute", then seconds
export function formatTimeRemaining (seconds) {
  if (seconds >= 60) {
    return plural(Math.ceil(seconds / 60), 'minute')
  }
  return plural(Math.max(0, seconds), 'second')
}

// The live region speaks whenever this value changes: at each whole minute,
// then at 40, 20 and 10 seconds.
export function announcementStep (seconds) {
  if (seconds > 60) {
    return Math.ceil(seconds / 60) * 60
  }
  for (const step of LAST_MINUTE_ANNOUNCEMENTS) {
    if (seconds <= step) {
      return step
    }
  }
  return 60
}

export function readCookie (name) {
  const prefix = name + '='
  for (const part of document.cookie ? document.cookie.split(';') : []) {
    const cookie = part.trim()
    if (cookie.indexOf(prefix) === 0) {
      try {
        return decodeURIComponent(cookie.slice(prefix.length))
      } catch (error) {
        return null
      }
    }
  }
  return null
}

class SessionTimeout {
  constructor (dialog) {
    const data = dialog.dataset

    this.dialog = dialog
    this.timeoutSeconds = toSeconds(data.timeoutSeconds)
    this.warningSeconds = Math.max(0, toSeconds(data.warningSeconds) || 0)
    this.statusUrl = data.statusUrl
    this.extendUrl = data.extendUrl
    this.signoutUrl = data.signoutUrl
    this.csrfToken = data.csrfToken || ''

    this.countdown = dialog.querySelector('[data-session-timeout-countdown]')
    this.announcer = dialog.querySelector('[data-session-timeout-announcer]')
    this.extendButton = dialog.querySelector('[data-session-timeout-extend]')

    this.expiresAt = 0
    this.warningTimer = null
    this.tickTimer = null
    this.busy = false
    this.signingOut = false
    this.closingOnPurpose = false
    this.previousFocus = null
    this.lastStep = null
    this.lastCheck = 0
  }

  isConfigured () {
    return this.timeoutSeconds > 0 && Boolean(this.statusUrl) &&
      Boolean(this.extendUrl) && Boolean(this.signoutUrl) &&
      Boolean(this.countdown) && Boolean(this.extendButton)
  }

  start () {
    this.extendButton.addEventListener('click', () => this.staySignedIn())

    // Escape fires "cancel": like the GOV.UK pattern, it keeps the user signed in
    this.dialog.addEventListener('cancel', (event) => {
      event.preventDefault()
      this.staySignedIn()
    })

    this.dialog.addEventListener('close', () => this.onClose())

    document.addEventListener('app:session-renewed', () => {
      this.signingOut = false
      this.busy = false
      this.close()
      this.schedule(this.timeoutSeconds)
    })

    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' &&
          Date.now() - this.lastCheck > VISIBLE_RECHECK_MS) {
        this.refresh()
      }
    })

    this.schedule(this.timeoutSeconds)
  }

  secondsRemaining () {
    return Math.max(0, Math.ceil((this.expiresAt - Date.now()) / 1000))
  }

  clearTimers () {
    window.clearTimeout(this.warningTimer)
    window.clearInterval(this.tickTimer)
    this.warningTimer = null
    this.tickTimer = null
  }

  // Count down from `seconds`, and warn `warningSeconds` before the end
  schedule (seconds) {
    this.clearTimers()
    this.expiresAt = Date.now() + seconds * 1000
    const delay = Math.max(0, (seconds - this.warningSeconds) * 1000)
    this.warningTimer = window.setTimeout(() => this.refresh(), delay)
  }

  // Ask the server how long is left, then warn, wait longer, or sign out
  async refresh () {
    if (this.busy || this.signingOut) {
      return
    }
    this.busy = true
    const result = await this.request(this.statusUrl, { method: 'GET' })
    this.busy = false
    if (this.signingOut) {
      return
    }

    if (result.state === 'ok') {
      this.apply(result.seconds)
    } else if (result.state === 'ended') {
      this.signOut()
    } else if (this.secondsRemaining() <= 0) {
      this.signOut()
    } else if (this.secondsRemaining() <= this.warningSeconds + 1) {
      // The server could not be asked: go by this page's own clock
      this.open()
    }
  }

  apply (seconds) {
    if (seconds <= 0) {
      this.signOut()
    } else if (seconds - this.warningSeconds >= 1) {
      // Kept alive elsewhere, for example in another tab
      this.close()
      this.schedule(seconds)
    } else {
      this.clearTimers()
      this.expiresAt = Date.now() + seconds * 1000
      this.open()
    }
  }

  open () {
    if (!this.dialog.open) {
      const active = document.activeElement
      this.previousFocus = active && active !== document.body ? active : null
      this.lastStep = announcementStep(this.secondsRemaining())
      if (this.announcer) {
        this.announcer.textContent = ''
      }
      this.render()
      this.dialog.showModal()
      this.extendButton.focus()
    }
    window.clearInterval(this.tickTimer)
    this.tickTimer = window.setInterval(() => this.tick(), TICK_MS)
  }

  close () {
    window.clearInterval(this.tickTimer)
    this.tickTimer = null
    if (this.dialog.open) {
      // The "close" event comes later, as a task: onClose() resets this
      this.closingOnPurpose = true
      this.dialog.close()
    }
  }

  onClose () {
    const onPurpose = this.closingOnPurpose
    this.closingOnPurpose = false
    window.clearInterval(this.tickTimer)
    this.tickTimer = null
    if (this.announcer) {
      this.announcer.textContent = ''
    }

    const previous = this.previousFocus
    this.previousFocus = null
    if (previous && previous.isConnected && typeof previous.focus === 'function') {
      previous.focus()
    }

    // Closed by the browser rather than by this script (some browsers close
    // on a repeated Escape even though "cancel" was prevented): treat it as
    // "Stay signed in", as Escape is meant to be
    if (!onPurpose && !this.signingOut) {
      this.staySignedIn()
    }
  }

  render () {
    this.countdown.textContent = formatTimeRemaining(this.secondsRemaining())
  }

  announce (message) {
    if (this.announcer) {
      this.announcer.textContent = message
    }
  }

  tick () {
    const seconds = this.secondsRemaining()
    if (seconds <= 0) {
      window.clearInterval(this.tickTimer)
      this.tickTimer = null
      this.timeUp()
      return
    }

    this.render()
    const step = announcementStep(seconds)
    if (step !== this.lastStep) {
      this.lastStep = step
      this.announce('You will be signed out in ' + formatTimeRemaining(seconds) + '.')
    }
  }

  // Check once more in case another tab kept the session alive, then sign out
  async timeUp () {
    if (this.busy || this.signingOut) {
      return
    }
    this.busy = true
    const result = await this.request(this.statusUrl, { method: 'GET' })
    this.busy = false
    if (this.signingOut) {
      return
    }
    if (result.state === 'ok' && result.seconds > 0) {
      this.apply(result.seconds)
    } else {
      this.signOut()
    }
  }

  async staySignedIn () {
    if (this.busy || this.signingOut) {
      return
    }
    this.busy = true
    const result = await this.request(this.extendUrl, {
      method: 'POST',
      headers: { 'X-CSRFToken': readCookie('csrftoken') || this.csrfToken }
    })
    this.busy = false
    if (this.signingOut) {
      return
    }

    if (result.state === 'ok') {
      if (result.seconds > 0) {
        this.close()
        this.schedule(result.seconds)
      } else {
        this.signOut()
      }
    } else if (result.state === 'ended') {
      this.signOut()
    } else if (this.secondsRemaining() > 0) {
      // Keep the warning up so the user can try again before time runs out
      this.open()
      this.announce('Sorry, there is a problem. Select ‘Stay signed in’ to try again.')
    } else {
      this.signOut()
    }
  }

  signOut () {
    if (this.signingOut) {
      return
    }
    this.signingOut = true
    this.clearTimers()
    const ended = new window.CustomEvent('app:session-ended', { cancelable: true })
    if (!document.dispatchEvent(ended)) {
      // The page keeps its work and asks the person to sign in again in place
      this.close()
      return
    }
    window.location.assign(this.signoutUrl)
  }

  // fetch() with a time limit. Resolves to {state: "ok", seconds},
  // {state: "ended"} (the session is gone) or {state: "unknown"}.
  async request (url, options) {
    this.lastCheck = Date.now()
    const controller = typeof AbortController === 'function' ? new AbortController() : null
    const timer = controller
      ? window.setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS)
      : null

    try {
      const response = await window.fetch(url, {
        method: options.method,
        credentials: 'same-origin',
        cache: 'no-store',
        signal: controller ? controller.signal : undefined,
        headers: Object.assign({
          Accept: 'application/json',
          'X-Requested-With': 'XMLHttpRequest'
        }, options.headers || {})
      })

      if (response.status === 401 || response.status === 403) {
        return { state: 'ended' }
      }
      if (!response.ok) {
        return { state: 'unknown' }
      }

      let data
      try {
        data = await response.json()
      } catch (error) {
        // Redirected to a page that is not JSON, such as the sign-in page
        return { state: response.redirected ? 'ended' : 'unknown' }
      }

      const seconds = toSeconds(data && data.seconds_remaining)
      return Number.isNaN(seconds) ? { state: 'unknown' } : { state: 'ok', seconds: seconds }
    } catch (error) {
      return { state: 'unknown' }
    } finally {
      window.clearTimeout(timer)
    }
  }
}

// Start the session timeout warning for the dialog in `scope`, if there is
// one (the partial is only rendered for signed-in users). Returns the
// controller, or null.
export function initSessionTimeout (scope) {
  const root = scope || document
  const dialog = root.querySelector('dialog[data-module="app-session-timeout"]')
  if (!dialog || typeof dialog.showModal !== 'function' || typeof window.fetch !== 'function') {
    return null
  }

  const controller = new SessionTimeout(dialog)
  if (!controller.isConfigured()) {
    return null
  }
  controller.start()
  return controller
}
