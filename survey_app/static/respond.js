/* Progressive enhancement only: every respondent page works without it. */
(function () {
  "use strict";
  var form = document.getElementById("respond-form");
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  if (!form) { return; }

  // Live character counters for long answers (the server enforces the limit either way).
  Array.prototype.forEach.call(form.querySelectorAll("textarea[data-maxlength]"), function (area) {
    var max = parseInt(area.getAttribute("data-maxlength"), 10);
    var out = document.getElementById(area.id + "-count");
    if (!out || !max) { return; }
    var template = area.getAttribute("data-count") || "%(n)s / %(max)s";
    var update = function () {
      var n = area.value.length;
      out.textContent = template.replace("%(n)s", n).replace("%(max)s", max);
      out.className = n > max ? "counter over" : "counter";
    };
    out.hidden = false;
    area.addEventListener("input", update);
    update();
  });

  // Questions that depend on an answer on the same page: show them only when it matches.
  var dependents = form.querySelectorAll("[data-cond-field]");
  function currentValues(name) {
    var values = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name !== name) { return; }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      values.push(el.value);
    });
    return values;
  }
  function refresh() {
    Array.prototype.forEach.call(dependents, function (box) {
      var wanted = JSON.parse(box.getAttribute("data-cond-values") || "[]");
      var have = currentValues(box.getAttribute("data-cond-field"));
      box.hidden = !have.some(function (v) { return wanted.indexOf(v) !== -1; });
      var hint = box.querySelector(".cond-hint");
      if (hint) { hint.hidden = true; }
    });
  }
  if (dependents.length) {
    form.addEventListener("change", refresh);
    refresh();
  }
})();
