// Autosave for the Early Help Assessment: no word typed is ever lost.
//
// The server renders, on the <form data-module="app-autosave">:
//   data-autosave-url    POST JSON {part, version, value} -> 200 {version, digest, saved_at},
//                        409 {conflict, theirs, their_version, by, at} or {locked, error},
//                        401 when the session has ended
//   data-autosave-delay  milliseconds after the last keystroke before a part is saved
// and each part (a textarea, or the group of headline-problem checkboxes) carries
// data-autosave-part="<name>", beside hidden inputs version-<name> and digest-<name>.
//
// Each part is saved on its own, as the person types (debounced) and when they
// leave the page (fetch with keepalive). The version sent is the one this page
// last saw: if someone else saved the part since, the server saves nothing and
// answers with their text, which is shown beside ours with a choice — never a
// silent overwrite. Saving does not count as activity, so the idle timeout runs
// on; when the session ends, the edits stay in the page, a sign-in dialog opens
// (includes/sign_in_again_dialog.html) and, once signed in, every unsent part is
// saved. Without JavaScript the same form posts every part with its version.
//
// Nothing is kept in browser storage: the page itself holds the unsent text.

import { readCookie } from './session-timeout.js'

const RETRY_MS = [2000, 5000, 10000, 30000]

function element (tag, attributes, text) {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes || {})) {
    node.setAttribute(name, value)
  }
  if (text) {
    node.textContent = text
  }
  return node
}

class Part {
  constructor (form, node) {
    this.node = node
    this.name = node.dataset.autosavePart
    this.label = node.dataset.autosaveLabel || this.name
    this.versionInput = form.querySelector('input[name="version-' + this.name + '"]')
    this.digestInput = form.querySelector('input[name="digest-' + this.name + '"]')
    this.conflictPanel = form.querySelector('[data-autosave-conflict="' + this.name + '"]')
    this.isChoice = node.tagName !== 'TEXTAREA'
    this.dirty = false
    this.inFlight = false
    this.conflicted = false
    this.timer = null
    this.retries = 0
  }

  value () {
    if (!this.isChoice) {
      return this.node.value
    }
    return Array.from(this.node.querySelectorAll('input[type="checkbox"]:checked'))
      .map((box) => box.value)
  }

  setValue (value) {
    if (!this.isChoice) {
      this.node.value = value
      return
    }
    for (const box of this.node.querySelectorAll('input[type="checkbox"]')) {
      box.checked = value.indexOf(box.value) !== -1
    }
  }

  version () {
    return Number(this.versionInput ? this.versionInput.value : 0) || 0
  }

  setVersion (version, digest) {
    if (this.versionInput) {
      this.versionInput.value = String(version)
    }
    if (this.digestInput && digest) {
      this.digestInput.value = digest
    }
  }

  focusable () {
    return this.isChoice ? this.node.querySelector('input') : this.node
  }
}

class SignInAgain {
  constructor (dialog, onSignedIn) {
    this.dialog = dialog
    this.onSignedIn = onSignedIn
    this.form = dialog.querySelector('[data-sign-in-again-form]')
    this.errors = dialog.querySelector('[data-sign-in-again-errors]')
    this.errorList = dialog.querySelector('[data-sign-in-again-error-list]')
    this.password = dialog.querySelector('input[name="password"]')
    this.busy = false
    this.form.addEventListener('submit', (event) => {
      event.preventDefault()
      this.submit()
    })
    // Escape would leave the person on a page they cannot use: they sign in, or leave by the link
    dialog.addEventListener('cancel', (event) => event.preventDefault())
  }

  open () {
    if (!this.dialog.open) {
      this.dialog.showModal()
      this.password.focus()
    }
  }

  showErrors (messages) {
    this.errorList.textContent = ''
    for (const message of messages) {
      const item = element('li')
      const link = element('a', { href: '#' + this.password.id }, message)
      link.addEventListener('click', (event) => {
        event.preventDefault()
        this.password.focus()
      })
      item.appendChild(link)
      this.errorList.appendChild(item)
    }
    this.errors.hidden = false
    this.errors.focus()
  }

  async submit () {
    if (this.busy) {
      return
    }
    this.busy = true
    let response
    try {
      response = await window.fetch(this.dialog.dataset.signInUrl, {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          Accept: 'application/json',
          'X-CSRFToken': readCookie('csrftoken') || '',
          'X-Requested-With': 'XMLHttpRequest'
        },
        body: new window.URLSearchParams(new window.FormData(this.form))
      })
    } catch (error) {
      this.busy = false
      this.showErrors(['Sorry, the service could not be reached. Check your connection and try again'])
      return
    }
    this.busy = false
    let data = {}
    try {
      data = await response.json()
    } catch (error) {
      data = {}
    }
    if (response.ok && data.signed_in) {
      this.errors.hidden = true
      this.form.reset()
      this.dialog.close()
      this.onSignedIn(data)
    } else if (response.status === 429 || response.status === 403) {
      this.showErrors(['Too many failed attempts: your account is locked for a while. ' +
        'Ask your team manager if you need to sign in now'])
    } else {
      this.showErrors(data.errors && data.errors.length ? data.errors : ['Enter a correct password'])
    }
  }
}

class Autosave {
  constructor (form) {
    this.form = form
    this.url = form.dataset.autosaveUrl
    this.delay = Number(form.dataset.autosaveDelay) || 1500
    this.status = form.querySelector('[data-autosave-status]')
    this.parts = new Map()
    for (const node of form.querySelectorAll('[data-autosave-part]')) {
      const part = new Part(form, node)
      this.parts.set(part.name, part)
    }
    this.signedOut = false
    this.submitting = false
    const dialog = document.querySelector('dialog[data-module="app-sign-in-again"]')
    this.signIn = dialog && typeof dialog.showModal === 'function'
      ? new SignInAgain(dialog, (data) => this.signedIn(data))
      : null
  }

  start () {
    const changed = (event) => {
      const node = event.target.closest('[data-autosave-part]')
      if (node && this.parts.has(node.dataset.autosavePart)) {
        this.changed(this.parts.get(node.dataset.autosavePart))
      }
    }
    this.form.addEventListener('input', changed)
    this.form.addEventListener('change', changed)
    this.form.addEventListener('submit', () => {
      this.submitting = true
    })
    document.addEventListener('app:session-ended', (event) => {
      if (this.signIn) {
        event.preventDefault()
        this.sessionEnded()
      }
    })
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') {
        this.flush(true)
      }
    })
    window.addEventListener('pagehide', () => this.flush(true))
    window.addEventListener('beforeunload', (event) => {
      if (!this.submitting && this.anyUnsaved()) {
        event.preventDefault()
        event.returnValue = ''
      }
    })
  }

  anyUnsaved () {
    for (const part of this.parts.values()) {
      if (part.dirty || part.inFlight || part.conflicted) {
        return true
      }
    }
    return false
  }

  say (message, problem) {
    if (this.status) {
      this.status.textContent = message
      this.status.classList.toggle('app-autosave-status--problem', Boolean(problem))
    }
  }

  changed (part) {
    part.dirty = true
    window.clearTimeout(part.timer)
    part.timer = window.setTimeout(() => this.save(part), this.delay)
  }

  flush (keepalive) {
    for (const part of this.parts.values()) {
      if (part.dirty) {
        window.clearTimeout(part.timer)
        this.save(part, keepalive)
      }
    }
  }

  csrfToken () {
    const input = this.form.querySelector('input[name="csrfmiddlewaretoken"]')
    return readCookie('csrftoken') || (input ? input.value : '')
  }

  async save (part, keepalive) {
    if (this.signedOut || part.inFlight || part.conflicted || !part.dirty) {
      return
    }
    const value = part.value()
    part.inFlight = true
    part.dirty = false
    let response = null
    try {
      response = await window.fetch(this.url, {
        method: 'POST',
        credentials: 'same-origin',
        keepalive: Boolean(keepalive),
        headers: {
          Accept: 'application/json',
          'Content-Type': 'application/json',
          'X-CSRFToken': this.csrfToken(),
          'X-Requested-With': 'XMLHttpRequest'
        },
        body: JSON.stringify({ part: part.name, version: part.version(), value: value })
      })
    } catch (error) {
      response = null
    }
    part.inFlight = false
    await this.settle(part, response)
  }

  async settle (part, response) {
    if (response === null) {
      part.dirty = true
      this.say('Your changes are not saved yet: the service cannot be reached. Trying again…', true)
      this.retry(part)
      return
    }
    if (response.status === 401) {
      part.dirty = true
      this.sessionEnded()
      return
    }
    let data = {}
    try {
      data = await response.json()
    } catch (error) {
      data = {}
    }
    if (response.ok) {
      part.retries = 0
      part.setVersion(data.version, data.digest)
      if (!this.anyUnsaved()) {
        this.say('All changes saved at ' + data.saved_at)
      }
      if (part.dirty) {
        this.changed(part)
      }
    } else if (response.status === 409 && data.conflict) {
      part.dirty = true
      part.conflicted = true
      this.showConflict(part, data)
    } else {
      part.dirty = true
      this.say((data.error || 'Your changes could not be saved') +
        '. Use ‘Save draft’ to try again.', true)
    }
  }

  retry (part) {
    const wait = RETRY_MS[Math.min(part.retries, RETRY_MS.length - 1)]
    part.retries += 1
    window.clearTimeout(part.timer)
    part.timer = window.setTimeout(() => this.save(part), wait)
  }

  sessionEnded () {
    if (this.signedOut) {
      return
    }
    this.signedOut = true
    this.say('You have been signed out. Your changes are kept on this page: sign in again to save them.', true)
    if (this.signIn) {
      this.signIn.open()
    }
  }

  signedIn (data) {
    this.signedOut = false
    // Signing in changes the CSRF token: the plain form needs the new one too
    for (const input of document.querySelectorAll('input[name="csrfmiddlewaretoken"]')) {
      input.value = data.csrf_token
    }
    document.dispatchEvent(new window.CustomEvent('app:session-renewed', {
      detail: { seconds: data.seconds_remaining }
    }))
    this.say('You are signed in again. Saving your changes…')
    this.flush(false)
  }

  showConflict (part, data) {
    const panel = part.conflictPanel
    if (!panel) {
      this.say(part.label + ': someone else saved a different version. Reload the page to see it.', true)
      return
    }
    panel.textContent = ''
    const heading = element('h3', { class: 'govuk-heading-s', tabindex: '-1' },
      (data.by || 'Someone else') + ' saved “' + part.label + '”' +
      (data.at ? ' at ' + data.at : '') + ' while you were editing')
    panel.appendChild(heading)
    panel.appendChild(element('p', { class: 'govuk-body' },
      'Nothing was overwritten. Their version is below; yours is still in the box. ' +
      'Choose which to keep: you can copy what you need from theirs first.'))
    const theirs = element('div', { class: 'app-conflict__theirs' })
    theirs.appendChild(element('p', { class: 'govuk-body-s govuk-!-font-weight-bold' }, 'Their version'))
    const shown = Array.isArray(data.theirs)
      ? (data.theirs.join(', ') || 'No indicators ticked')
      : (data.theirs || '(empty)')
    theirs.appendChild(element('p', { class: 'govuk-body' }, shown))
    panel.appendChild(theirs)
    const buttons = element('div', { class: 'govuk-button-group' })
    const keep = element('button', { type: 'button', class: 'govuk-button' }, 'Keep my version')
    const use = element('button', { type: 'button', class: 'govuk-button govuk-button--secondary' },
      'Use their version')
    keep.addEventListener('click', () => {
      part.setVersion(data.their_version)
      this.resolve(part, true)
    })
    use.addEventListener('click', () => {
      part.setValue(data.theirs)
      part.setVersion(data.their_version)
      this.resolve(part, false)
    })
    buttons.appendChild(keep)
    buttons.appendChild(use)
    panel.appendChild(buttons)
    panel.hidden = false
    this.say(part.label + ': someone else saved a different version. Choose which to keep.', true)
    heading.focus()
  }

  resolve (part, keepMine) {
    part.conflicted = false
    part.conflictPanel.hidden = true
    part.conflictPanel.textContent = ''
    part.dirty = keepMine
    const field = part.focusable()
    if (field) {
      field.focus()
    }
    if (keepMine) {
      this.save(part)
    } else {
      this.say('Their version is in the box: it is already saved.')
    }
  }
}

// Start autosave on every form in `scope` that asks for it. Returns the controllers.
export function initAutosave (scope) {
  const root = scope || document
  if (typeof window.fetch !== 'function') {
    return []
  }
  return Array.from(root.querySelectorAll('form[data-module="app-autosave"]')).map((form) => {
    const controller = new Autosave(form)
    controller.start()
    return controller
  })
}

// "Print" buttons are hidden until this script can print.
export function initPrintButtons (scope) {
  for (const button of (scope || document).querySelectorAll('[data-module="app-print"]')) {
    button.hidden = false
    button.addEventListener('click', () => window.print())
  }
}
