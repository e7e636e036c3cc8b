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

  // Live pages: an element marked data-live shows a version of what it displays
  // (data-version) and names an event stream (data-events) that sends the newest version
  // each time it changes. When they differ the element is refreshed at once (its hx-trigger
  // lists "live"). While the stream is open the element's own poll is skipped; when the
  // stream is down the poll carries on, so the page never stops updating.
  var streams = {};

  function liveElement(url) {
    return document.querySelector('[data-live][data-events="' + url + '"]');
  }

  function listen(url) {
    if (streams[url] || !window.EventSource) {
      return;
    }
    var source = new EventSource(url);
    var stream = { source: source, open: false };
    streams[url] = stream;
    source.addEventListener("open", function () {
      stream.open = true;
    });
    source.addEventListener("error", function () {
      stream.open = false; // the browser reconnects by itself; the poll covers the gap
    });
    source.addEventListener("version", function (event) {
      stream.open = true;
      var element = liveElement(url);
      if (!element) {
        source.close();
        delete streams[url];
        return;
      }
      if (element.getAttribute("data-version") !== event.data && window.htmx) {
        window.htmx.trigger(element, "live");
      }
    });
  }

  function start() {
    // What is true only while this script runs ("updates by itself") is shown by it.
    document.querySelectorAll(".when-live[hidden]").forEach(function (element) {
      element.hidden = false;
    });
    document.querySelectorAll("[data-live][data-events]").forEach(function (element) {
      listen(element.getAttribute("data-events"));
    });
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail.elt;
    var config = event.detail.requestConfig;
    if (!element.hasAttribute || !element.hasAttribute("data-live")) {
      return;
    }
    var stream = streams[element.getAttribute("data-events")];
    // A poll has no triggering event; a "live" refresh or a user's action has one.
    if (stream && stream.open && config && !config.triggeringEvent) {
      event.preventDefault();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  // Requests the page makes by itself -- a poll ("every Ns", no triggering event), a panel
  // refreshing after "assessmentChanged", a refresh an event stream asks for ("live"), the
  // poller told that a write's re-score is queued ("rescoreQueued") -- say so, and do not
  // count as the user's activity for the idle sign-out (readiness/signin.py).
  var BACKGROUND_EVENTS = { assessmentChanged: true, live: true, rescoreQueued: true };
  document.addEventListener("htmx:configRequest", function (event) {
    var trigger = event.detail.triggeringEvent;
    if (!trigger || BACKGROUND_EVENTS[trigger.type]) {
      event.detail.headers["X-Readiness-Background"] = "1";
    }
  });
})();
