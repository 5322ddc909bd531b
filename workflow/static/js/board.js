/* Meetings: keeps the projector's QR code and the attendance board current.
 *
 * [data-qr data-token-url]      polls the token endpoint; when the code changes, the image
 *                               ([data-qr-image]) and the address ([data-qr-url]) follow, and
 *                               [data-qr-countdown] counts down to the next change.
 * [data-board data-board-url]   polls the attendance JSON every data-refresh milliseconds and
 *                               redraws the counts ([data-count=KEY]) and lists ([data-list=KEY]).
 *
 * Names come from people: they are only ever set as textContent, never as HTML.
 * No framework, no inline script (the Content-Security-Policy allows only 'self' scripts).
 */
(function () {
  "use strict";

  function getJSON(url) {
    return fetch(url, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (!response.ok || type.indexOf("application/json") === -1) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    });
  }

  function span(className, text) {
    var element = document.createElement("span");
    element.className = className;
    element.textContent = text;
    return element;
  }

  function badge(text) {
    var element = span("badge text-bg-light", text);
    return element;
  }

  function append(item, child) {
    item.appendChild(document.createTextNode(" "));
    item.appendChild(child);
  }

  function signinItem(row, labels) {
    var item = document.createElement("li");
    item.setAttribute("data-id", row.id);
    item.appendChild(span("board-name", row.name));
    append(item, span("board-unit", row.unit));
    append(item, span("board-time", row.time));
    if (row.proxy) { append(item, badge(labels.proxy)); }
    if (row.guest) { append(item, badge(labels.guest)); }
    return item;
  }

  function personItem(row) {
    var item = document.createElement("li");
    item.setAttribute("data-id", row.id);
    item.appendChild(span("board-name", row.name));
    append(item, span("board-unit", row.unit));
    if (row.reason !== undefined) { append(item, span("board-reason", row.reason)); }
    return item;
  }

  function fill(list, rows, make) {
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) { fragment.appendChild(make(row)); });
    while (list.firstChild) { list.removeChild(list.firstChild); }
    list.appendChild(fragment);
  }

  function startBoard(board) {
    var url = board.getAttribute("data-board-url");
    var every = Math.max(parseInt(board.getAttribute("data-refresh"), 10) || 3000, 1000);
    var labels = {
      proxy: board.getAttribute("data-label-proxy") || "",
      guest: board.getAttribute("data-label-guest") || "",
      pending: board.getAttribute("data-label-pending") || "",
      missing: board.getAttribute("data-label-missing") || "",
    };
    var offline = board.querySelector("[data-offline]");
    var updated = board.querySelector("[data-updated]");

    function render(data) {
      var summary = data.summary || {};
      board.querySelectorAll("[data-count]").forEach(function (element) {
        var key = element.getAttribute("data-count");
        if (summary[key] !== undefined) { element.textContent = String(summary[key]); }
      });
      board.querySelectorAll("[data-list]").forEach(function (list) {
        var key = list.getAttribute("data-list");
        var rows = data[key] || [];
        if (key === "signed_in" || key === "late") {
          fill(list, rows, function (row) { return signinItem(row, labels); });
        } else {
          fill(list, rows, personItem);
        }
      });
      board.querySelectorAll("[data-pending-label]").forEach(function (element) {
        element.textContent = summary.finished ? labels.missing : labels.pending;
      });
      if (updated && data.updated) { updated.textContent = data.updated; }
    }

    function poll() {
      getJSON(url).then(function (data) {
        render(data);
        if (offline) { offline.classList.add("d-none"); }
      }).catch(function () {
        if (offline) { offline.classList.remove("d-none"); }
      }).then(function () {
        window.setTimeout(poll, every);
      });
    }

    window.setTimeout(poll, every);
  }

  function startQr(box) {
    var url = box.getAttribute("data-token-url");
    var image = box.querySelector("[data-qr-image]");
    var address = box.querySelector("[data-qr-url]");
    var countdown = box.querySelector("[data-qr-countdown]");
    var current = image ? image.getAttribute("src") : "";
    var left = countdown ? parseInt(countdown.textContent, 10) || 0 : 0;

    function apply(data) {
      if (image && data.qr && data.qr !== current) {
        current = data.qr;
        image.setAttribute("src", data.qr);
      }
      if (address && data.url) { address.textContent = data.url; }
      left = data.expires_in || 0;
      if (countdown) { countdown.textContent = String(left); }
    }

    function poll() {
      getJSON(url).then(apply).catch(function () { /* keep the last code; try again */ })
        .then(function () {
          // Ask again just after the code changes, and at least every 5 seconds.
          var wait = Math.min(Math.max(left, 1), 5) * 1000 + 200;
          window.setTimeout(poll, wait);
        });
    }

    window.setInterval(function () {
      if (left > 0) { left -= 1; }
      if (countdown) { countdown.textContent = String(left); }
    }, 1000);
    poll();
  }

  function start() {
    document.querySelectorAll("[data-board]").forEach(startBoard);
    document.querySelectorAll("[data-qr]").forEach(startQr);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
