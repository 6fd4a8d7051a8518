/* kb-tools site script: onboarding path progress kept in localStorage (works offline and from
   file://), and details opened for printing. No network access. */
(function () {
  "use strict";
  var PREFIX = "kb-path:";
  var memory = {};

  function load(key) {
    try {
      var raw = window.localStorage.getItem(key);
      return raw ? JSON.parse(raw) || {} : {};
    } catch (e) {
      return memory[key] || {};
    }
  }

  function save(key, state) {
    memory[key] = state;
    try {
      window.localStorage.setItem(key, JSON.stringify(state));
    } catch (e) { /* storage blocked: progress lasts for this page view only */ }
  }

  function setupPath(root) {
    var key = PREFIX + root.getAttribute("data-kb-path");
    var boxes = Array.prototype.slice.call(root.querySelectorAll("input.kb-step__check"));
    var bar = root.querySelector(".kb-path__bar");
    var count = root.querySelector(".kb-path__count");
    var state = load(key);

    function render() {
      var done = 0;
      boxes.forEach(function (box) {
        var step = box.closest(".kb-step");
        if (step) step.classList.toggle("kb-step--done", box.checked);
        if (box.checked) done += 1;
      });
      if (bar) bar.value = done;
      if (count) count.textContent = done + " / " + boxes.length;
    }

    boxes.forEach(function (box) {
      var id = box.getAttribute("data-kb-step");
      box.checked = state[id] === true;
      box.addEventListener("change", function () {
        state = load(key);
        if (box.checked) state[id] = true; else delete state[id];
        save(key, state);
        render();
      });
    });
    render();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll(".kb-path[data-kb-path]"), setupPath);
  }

  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details:not([open])"), function (d) {
      d.setAttribute("open", "");
      d.setAttribute("data-kb-print-opened", "");
    });
  });
  window.addEventListener("afterprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details[data-kb-print-opened]"), function (d) {
      d.removeAttribute("open");
      d.removeAttribute("data-kb-print-opened");
    });
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

// Printing a path (mentor sign-off): show the folded model answers on paper.
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details.kb-step__answer").forEach(function (d) { d.open = true; });
});
