/* What the pages used to say in inline handlers, which the Content-Security-Policy forbids: a button with
   data-print prints the page; a select with data-autosubmit sends its form when changed. Delegated from the
   document, so the parts HTMX swaps in work too. */
(function () {
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-print]") : null;
    if (button) { window.print(); }
  });
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) { field.form.submit(); }
  });
})();
