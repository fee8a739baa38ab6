// Small enhancements on top of pages that work without JavaScript.
(function () {
  "use strict";
  function copyFrom(button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    var status = document.querySelector('[data-copied-for="' + input.id + '"]');
    var done = function () { if (status) { status.textContent = "Copied"; } };
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () {
        document.execCommand("copy");
        done();
      });
    } else {
      document.execCommand("copy");
      done();
    }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (button) {
      event.preventDefault();
      copyFrom(button);
    }
  });
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { event.detail.headers["X-CSRF-Token"] = meta.getAttribute("content"); }
  });
})();
// The waterfall marks the span whose panel is shown.
document.addEventListener("click", function (event) {
  var link = event.target.closest("[data-select-row]");
  if (!link) { return; }
  document.querySelectorAll("#waterfall li.selected").forEach(function (li) { li.classList.remove("selected"); });
  document.querySelectorAll("#waterfall [aria-current]").forEach(function (a) { a.removeAttribute("aria-current"); });
  link.closest("li").classList.add("selected");
  link.setAttribute("aria-current", "true");
});
