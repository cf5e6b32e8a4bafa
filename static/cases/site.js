// Small enhancements on top of pages that work without JavaScript.
(() => {
  "use strict";

  document.documentElement.classList.add("js");

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

  // On a phone the filters open as a panel over the results (site.css hides them until then);
  // the rest of the page is inert while it is open. A choice in it swaps the results, which
  // closes it, and the reader is taken back to the top of the new results.
  const PHONE = window.matchMedia("(max-width: 52rem)");
  const panel = () => document.getElementById("filters");
  const toggle = () => document.getElementById("filters-toggle");
  const behindPanel = () => [...document.querySelectorAll(
    ".site-header, .skip-link, #search-form, .results > :not(.results-layout), .results-main, .site-footer")];
  const setFilters = (open) => {
    const aside = panel();
    if (!aside) return;
    aside.classList.toggle("is-open", open);
    behindPanel().forEach((el) => { el.inert = open; });
    toggle()?.setAttribute("aria-expanded", String(open));
    if (open) {
      aside.setAttribute("role", "dialog");
      aside.setAttribute("aria-modal", "true");
      aside.focus();
    } else {
      aside.removeAttribute("role");
      aside.removeAttribute("aria-modal");
    }
  };
  const upgradeToggle = () => {
    const button = toggle();
    if (!button) return;
    button.setAttribute("role", "button");
    button.setAttribute("aria-expanded", "false");
  };
  upgradeToggle();
  const toResults = () => {
    const count = document.getElementById("result-count");
    if (!count) return;
    count.focus({ preventScroll: true });
    count.scrollIntoView({ block: "start" });
  };
  document.addEventListener("click", (event) => {
    if (!PHONE.matches) return;
    if (event.target.closest("[data-open-filters]")) {
      event.preventDefault();
      setFilters(true);
    } else if (event.target.closest("[data-close-filters]")) {
      event.preventDefault();
      setFilters(false);
      toResults();
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && panel()?.classList.contains("is-open")) {
      setFilters(false);
      toggle()?.focus();
    } else if (event.key === " " && event.target.matches("[data-open-filters]")) {
      event.preventDefault();
      event.target.click();
    }
  });
  PHONE.addEventListener("change", () => { if (!PHONE.matches) setFilters(false); });
  let filtersWereOpen = false;

  // A table wider than its box says it scrolls sideways (site.css shows the hint).
  const markScrolling = () => {
    document.querySelectorAll(".scroll-hint").forEach((hint) => {
      const box = hint.nextElementSibling;
      if (box) hint.classList.toggle("is-needed", box.scrollWidth > box.clientWidth + 1);
    });
  };
  markScrolling();
  window.addEventListener("resize", markScrolling);

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
      filtersWereOpen = Boolean(panel()?.classList.contains("is-open"));
    }
  });
  document.addEventListener("htmx:afterSettle", () => {
    openDetails.forEach((id) => document.getElementById(id)?.setAttribute("open", ""));
    openDetails = [];
    syncForm();
    upgradeToggle();
    if (filtersWereOpen) {
      filtersWereOpen = false;
      setFilters(false);
      toResults();
    }
  });
  document.addEventListener("htmx:historyRestore", () => syncForm(true));
})();
