/* Large downloads with a progress bar (the submission package).
 *
 * a[data-download-progress]   fetched here instead of followed; its container's
 *                             [data-download-status] (shown once the download takes more
 *                             than a moment) holds a <progress> that reads the stream
 *                             against Content-Length, and a [data-download-text] line whose
 *                             wording comes from the container's data-text-* attributes
 *                             (translated on the server). When done, the file is saved under
 *                             the name the server gave in Content-Disposition.
 *
 * Without JavaScript, or where fetch streams are missing, the link is an ordinary download.
 * No inline script (the Content-Security-Policy allows only 'self' scripts).
 */
(function () {
  "use strict";

  var SHOW_AFTER_MS = 400;   // a quick download needs no bar

  function filenameOf(response, fallback) {
    var header = response.headers.get("Content-Disposition") || "";
    var star = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (star) {
      try { return decodeURIComponent(star[1]); } catch (ignored) { /* fall through */ }
    }
    var plain = /filename="([^"]+)"/i.exec(header);
    return plain ? plain[1] : fallback;
  }

  function megabytes(bytes) {
    return (bytes / 1048576).toFixed(1);
  }

  function save(blob, name) {
    var url = URL.createObjectURL(blob);
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  function start(link, event) {
    var container = link.closest("[data-package]") || document;
    var status = container.querySelector("[data-download-status]");
    if (!status || !window.fetch || !window.ReadableStream) {
      return;   // the browser follows the link as usual
    }
    event.preventDefault();
    if (link.dataset.busy) {
      return;   // one download at a time
    }
    link.dataset.busy = "1";
    link.classList.add("disabled");
    link.setAttribute("aria-disabled", "true");
    var bar = status.querySelector("progress");
    var text = status.querySelector("[data-download-text]");
    text.textContent = status.dataset.textWaiting;
    bar.removeAttribute("value");   // indeterminate until the length is known
    var timer = setTimeout(function () { status.classList.remove("d-none"); }, SHOW_AFTER_MS);

    function finish(message) {
      clearTimeout(timer);
      delete link.dataset.busy;
      link.classList.remove("disabled");
      link.removeAttribute("aria-disabled");
      text.textContent = message;
    }

    fetch(link.href, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (!response.ok || !response.body) {
        throw new Error("HTTP " + response.status);
      }
      var total = parseInt(response.headers.get("Content-Length") || "0", 10);
      var type = response.headers.get("Content-Type") || "application/zip";
      var name = filenameOf(response, "package.zip");
      var reader = response.body.getReader();
      var chunks = [];
      var received = 0;
      if (total > 0) {
        bar.max = total;
        bar.value = 0;
      }
      function pump() {
        return reader.read().then(function (step) {
          if (step.done) {
            return;
          }
          chunks.push(step.value);
          received += step.value.length;
          if (total > 0) {
            bar.value = received;
            text.textContent = status.dataset.textProgress
              .replace("{done}", megabytes(received)).replace("{total}", megabytes(total));
          }
          return pump();
        });
      }
      return pump().then(function () {
        if (total > 0 && received !== total) {
          throw new Error("incomplete: " + received + " of " + total);
        }
        save(new Blob(chunks, { type: type }), name);
        finish(status.dataset.textDone);
      });
    }).catch(function () {
      status.classList.remove("d-none");
      finish(status.dataset.textFailed);
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-download-progress]");
    if (link && event.button === 0 && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      start(link, event);
    }
  });
}());
