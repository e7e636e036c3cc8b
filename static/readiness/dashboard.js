// Small progressive enhancements; every page works without this file. No inline script
// or handler anywhere: the Content Security Policy forbids them (settings.py).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) {
      window.print();
    }
  });

  // Requests the page makes by itself -- a poll ("every Ns", no triggering event), a panel
  // refreshing after "assessmentChanged", a refresh an event stream asks for ("live") --
  // say so, and do not count as the user's activity for the idle sign-out
  // (readiness/signin.py).
  var BACKGROUND_EVENTS = { assessmentChanged: true, live: true };
  document.addEventListener("htmx:configRequest", function (event) {
    var trigger = event.detail.triggeringEvent;
    if (!trigger || BACKGROUND_EVENTS[trigger.type]) {
      event.detail.headers["X-Readiness-Background"] = "1";
    }
  });
})();
