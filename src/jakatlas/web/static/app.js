/* Small progressive enhancements; every page works without this file. */
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Ask before a curator rejects a study.
  document.querySelectorAll('form input[name="action"][value="reject"]').forEach(function (input) {
    input.form.addEventListener("submit", function (event) {
      if (!window.confirm("Reject this study? It leaves every view but stays in the audit trail.")) {
        event.preventDefault();
      }
    });
  });
  // Move keyboard focus into the main content when the skip link is used.
  var skip = document.querySelector(".skip-link");
  var main = document.getElementById("main");
  if (skip && main) {
    skip.addEventListener("click", function () { main.focus(); });
  }
});
