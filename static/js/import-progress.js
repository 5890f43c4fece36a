/* An import's page while its file is checked or imported: ask the status endpoint
   every second, move the progress bar, and reload the page once the work is done. */
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) return;
  var bar = document.getElementById("progress-bar");
  var message = document.getElementById("progress-message");
  var url = box.getAttribute("data-status-url");
  var lastText = message.textContent;

  function show(state) {
    bar.value = state.progress;
    bar.textContent = state.progress + "%";
    var text = state.progress + "%" + (state.message ? " · " + state.message : "");
    // Only a changed text is announced, so screen readers are not flooded.
    if (text !== lastText) {
      message.textContent = text;
      lastText = text;
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (state) {
        show(state);
        if (state.running) {
          window.setTimeout(poll, 1000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () {
        message.textContent = "Could not ask how far the work is; reload the page to see.";
      });
  }

  window.setTimeout(poll, 1000);
})();
