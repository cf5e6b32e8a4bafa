// Small enhancements on top of pages that work without JavaScript.
(() => {
  "use strict";

  // Controls that only make sense with JavaScript (copy, print) start hidden.
  const reveal = (root) => {
    root.querySelectorAll("[data-js-only][hidden]").forEach((el) => { el.hidden = false; });
  };
  reveal(document);

  // "Copy link" / "Copy citation": the clipboard API, or a prompt to copy by hand.
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-copy]");
    if (button) {
      const status = button.parentElement.querySelector(".copy-status");
      try {
        await navigator.clipboard.writeText(button.dataset.copy);
        if (status) status.textContent = button.dataset.copied || `${button.textContent.replace("Copy ", "")} copied.`.replace(/^./, (c) => c.toUpperCase());
      } catch {
        window.prompt("Copy this text:", button.dataset.copy);
      }
      return;
    }
    if (event.target.closest("[data-print]")) window.print();
  });

  // Facet values are links styled as checkboxes; Space toggles them like a checkbox.
  document.addEventListener("keydown", (event) => {
    if (event.key === " " && event.target.matches('a[role="checkbox"]')) {
      event.preventDefault();
      event.target.click();
    }
  });

  // Leave empty fields out of the request, so pushed URLs stay short and bookmarkable.
  document.addEventListener("htmx:configRequest", (event) => {
    const data = event.detail.formData;
    if (!data) return;
    const kept = [...data.entries()].filter(([, value]) => value !== "");
    [...new Set(data.keys())].forEach((key) => data.delete(key));
    kept.forEach(([key, value]) => data.append(key, value));
  });

  // The form's fields live outside the swapped region; keep them in step with the results
  // shown (after a "Did you mean" link, or back/forward), unless the reader is typing there.
  const syncForm = (force) => {
    const form = document.getElementById("search-form");
    const region = document.getElementById("search-results");
    if (!form || !region) return;
    for (const name of ["q", "decided_from", "decided_to", "injured_from", "injured_to",
                      "quantity_min", "quantity_max", "quantity_unit"]) {
      const input = form.elements.namedItem(name);
      if (input && (force === true || input !== document.activeElement) && name in region.dataset) {
        input.value = region.dataset[name];
      }
    }
  };

  // Keep "show all" lists open across swaps.
  let openDetails = [];
  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    if (target && target.id === "search-results") {
      openDetails = [...target.querySelectorAll("details[open][id]")].map((d) => d.id);
    }
  });
  document.addEventListener("htmx:afterSettle", () => {
    openDetails.forEach((id) => document.getElementById(id)?.setAttribute("open", ""));
    openDetails = [];
    syncForm();
  });
  document.addEventListener("htmx:historyRestore", () => syncForm(true));
})();
