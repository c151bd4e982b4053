// Entry point, loaded as an ES module:
//   <script type="module" src="{% static 'js/app.js' %}"></script>
//
// GOV.UK Frontend v6 ships govuk-frontend.min.js as an ES module (it exports
// initAll and sets no window.GOVUKFrontend), so it is imported here. The
// imports are relative, so they work under any STATIC_URL; with hashed static
// file names they load the unhashed copies, which collectstatic keeps.

import { initAll } from '../vendor/govuk/govuk-frontend.min.js'
import { initSessionTimeout } from './session-timeout.js'
import { initAutosave, initPrintButtons } from './autosave.js'

// base.html adds these classes with a small inline script at the top of
// <body> (as the GOV.UK template does). A browser running this module
// supports GOV.UK Frontend, so add them here too in case that script is
// missing: initAll() does nothing without govuk-frontend-supported.
document.body.classList.add('js-enabled', 'govuk-frontend-supported')

try {
  initAll()
} catch (error) {
  console.error(error)
}

initSessionTimeout(document)
initAutosave(document)
initPrintButtons(document)
