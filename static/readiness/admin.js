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
