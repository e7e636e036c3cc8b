// Wiring that Django admin add-ons wrote as inline handlers, which the Content Security
// Policy refuses (templates/admin/import_export/export.html).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target;
    // django-import-export's "Select all" box on the export page
    // (its export_selectable_fields.js defines the handler).
    if (box.matches && box.matches("input.select-toggle") &&
        typeof window.onSelectToggleChange === "function") {
      window.onSelectToggleChange(event);
    }
  });
})();

// A trigger's form shows only the condition fields of the chosen kind
// (readiness/posts/admin.py TriggerForm names them on the kind's select). Without this
// script every field shows and the model's check names any the kind does not use.
(function () {
  "use strict";
  function fieldElements(scope, name) {
    return scope.querySelectorAll(".fieldBox.field-" + name + ", .form-row.field-" + name);
  }
  function holdsSomething(element) {
    if (element.querySelector(".errorlist")) {
      return true;
    }
    return Array.prototype.some.call(
      element.querySelectorAll("input, select, textarea"),
      function (input) {
        if (input.type === "checkbox") {
          return input.checked;
        }
        return input.type !== "hidden" && input.value !== "";
      }
    );
  }
  function apply(select) {
    var byKind, all;
    try {
      byKind = JSON.parse(select.getAttribute("data-fields-by-kind"));
      all = JSON.parse(select.getAttribute("data-condition-fields"));
    } catch (e) {
      return;
    }
    var scope = select.closest(".inline-related") || select.form;
    if (!scope) {
      return;
    }
    var wanted = byKind[select.value];
    all.forEach(function (name) {
      var show = !wanted || wanted.indexOf(name) !== -1;
      fieldElements(scope, name).forEach(function (element) {
        // A row holding several fields stays while one of them is shown.
        if (element.classList.contains("form-row") && element.querySelector(".fieldBox")) {
          return;
        }
        // A field holding a value or an error stays in sight, so nothing hidden is refused.
        element.hidden = !show && !holdsSomething(element);
      });
    });
    scope.querySelectorAll(".form-row").forEach(function (row) {
      var boxes = row.querySelectorAll(".fieldBox");
      if (!boxes.length) {
        return;
      }
      var visible = Array.prototype.some.call(boxes, function (box) { return !box.hidden; });
      row.hidden = !visible;
    });
  }
  function applyAll() {
    document.querySelectorAll("select[data-fields-by-kind]").forEach(apply);
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-fields-by-kind]")) {
      apply(event.target);
    }
  });
  // An inline added with "Add another" (Django's formset:added event).
  document.addEventListener("formset:added", applyAll);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", applyAll);
  } else {
    applyAll();
  }
})();
