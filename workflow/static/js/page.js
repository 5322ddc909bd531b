/* What every page does (loaded by base.html; no inline script: the CSP allows only 'self').
 *
 * - A form that came back with errors: the error summary ([data-error-summary]) or else the
 *   first field marked aria-invalid gets the focus, and the live region ([data-form-errors])
 *   announces that there are errors (its text, translated, is in data-text).
 * - A table wider than the screen (a phone) scrolls in its .table-responsive box: the box
 *   joins the Tab order so that a keyboard can scroll it too (WCAG 2.1.1).
 * - The print header's time ([data-print-date]) is set again when printing starts, so a page
 *   left open prints the day it is printed, not the day it was loaded.
 */
(function () {
  "use strict";

  // The time in the app's time zone (data-time-zone, as the server wrote it), whatever the
  // computer's own: "2026-06-20 09:30".
  function localTime(zone) {
    try {
      var parts = {};
      new Intl.DateTimeFormat("en-GB", {
        timeZone: zone || undefined, year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", hourCycle: "h23",
      }).formatToParts(new Date()).forEach(function (part) { parts[part.type] = part.value; });
      return parts.year + "-" + parts.month + "-" + parts.day + " " + parts.hour + ":" + parts.minute;
    } catch (error) {
      return null;  // an unknown zone: keep the server's time
    }
  }

  function stamp() {
    document.querySelectorAll("[data-print-date]").forEach(function (element) {
      var text = localTime(element.getAttribute("data-time-zone"));
      if (text) { element.textContent = text; }
    });
  }

  // A link of the error summary puts the focus in its field (following "#id" alone only
  // scrolls to it), the refused value selected: what is typed replaces it.
  function followToField(event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) { return; }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (field) {
      event.preventDefault();
      field.focus();
      if (typeof field.select === "function" && field.tagName !== "SELECT") { field.select(); }
    }
  }

  function focusErrors() {
    var target = document.querySelector("[data-error-summary]") ||
      document.querySelector("main [aria-invalid='true']");
    if (!target) { return; }
    target.focus();
    var region = document.querySelector("[data-form-errors]");
    if (region) {
      // Written after load: a live region announces a change, not what it held at first.
      window.setTimeout(function () { region.textContent = region.getAttribute("data-text") || ""; }, 100);
    }
  }

  function scrollable() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
      } else {
        box.removeAttribute("tabindex");
      }
    });
  }

  function start() {
    scrollable();
    window.addEventListener("resize", scrollable);
    focusErrors();
    document.addEventListener("click", followToField);
    window.addEventListener("beforeprint", stamp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
