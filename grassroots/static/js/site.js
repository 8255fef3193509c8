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
  /* A part a page fetches later (data-lazy: its URL; HTMX loads it when opened or scrolled to) is fetched before
     printing, synchronously (the print waits for nothing else), so that a print shows every part. */
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("[data-lazy]").forEach(function (part) {
      var xhr = new XMLHttpRequest();
      xhr.open("GET", part.getAttribute("data-lazy"), false);
      xhr.setRequestHeader("HX-Request", "true");
      xhr.setRequestHeader("HX-Target", part.id);
      xhr.send();
      if (xhr.status !== 200) { return; }
      var holder = document.createElement("div");
      holder.innerHTML = xhr.responseText;
      var parts = Array.prototype.slice.call(holder.children);
      part.replaceWith.apply(part, parts);
      if (window.htmx) { parts.forEach(function (p) { window.htmx.process(p); }); }
    });
  });
})();
