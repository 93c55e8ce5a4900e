// Search autocomplete (header box) and entity pickers (IRI parameters of saved queries).
// Results are written with textContent only: labels from the graph can never become markup.
(function () {
  "use strict";

  function debounce(fn, ms) {
    let timer = null;
    return function (...args) {
      clearTimeout(timer);
      timer = setTimeout(() => fn.apply(this, args), ms);
    };
  }

  async function fetchHits(url, q, limit) {
    const response = await fetch(url + "?" + new URLSearchParams({ q: q, limit: String(limit) }),
                                 { headers: { Accept: "application/json" } });
    if (!response.ok) return [];
    return response.json();
  }

  // Header search: a list of links under the box, navigable with the arrow keys.
  const box = document.getElementById("site-search");
  const list = document.getElementById("site-search-suggestions");
  if (box && list) {
    let active = -1;
    const render = (hits) => {
      list.replaceChildren();
      active = -1;
      for (const hit of hits) {
        const li = document.createElement("li");
        li.setAttribute("role", "option");
        const a = document.createElement("a");
        a.href = hit.url;
        a.textContent = hit.label;
        li.appendChild(a);
        if (hit.type) {
          const type = document.createElement("span");
          type.className = "type";
          type.textContent = hit.type;
          li.appendChild(type);
        }
        list.appendChild(li);
      }
      list.hidden = hits.length === 0;
    };
    const update = debounce(async () => {
      const q = box.value.trim();
      render(q.length < 2 ? [] : await fetchHits(box.dataset.autocomplete, q, 10));
    }, 120);
    box.addEventListener("input", update);
    box.addEventListener("keydown", (event) => {
      const items = list.querySelectorAll("li");
      if (list.hidden || items.length === 0) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        active = (active + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
        items.forEach((li, i) => li.classList.toggle("active", i === active));
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.href = items[active].querySelector("a").href;
      } else if (event.key === "Escape") {
        list.hidden = true;
      }
    });
    document.addEventListener("click", (event) => {
      if (!list.contains(event.target) && event.target !== box) list.hidden = true;
    });
  }

  // Entity pickers: fill the input's datalist with matching entities; the value is the entity's IRI.
  for (const input of document.querySelectorAll("input.picker")) {
    const datalist = document.getElementById(input.getAttribute("list"));
    input.addEventListener("input", debounce(async () => {
      const q = input.value.trim();
      if (q.length < 2 || q.includes("://") || /^[a-z]+:[^\s]*$/.test(q)) return;
      const hits = await fetchHits(input.dataset.picker, q, 15);
      datalist.replaceChildren();
      for (const hit of hits) {
        const option = document.createElement("option");
        option.value = hit.iri;
        option.label = hit.label + (hit.type ? " — " + hit.type : "");
        option.textContent = option.label;
        datalist.appendChild(option);
      }
    }, 150));
  }
})();

// Forest plots: download the plot as SVG (styles inlined, so it stands alone) or as PNG (drawn on a canvas).
(function () {
  "use strict";
  const STYLE = "text{font-family:system-ui,Arial,sans-serif;font-size:12px;fill:#1d2430}" +
    ".fp-head{font-weight:600}.fp-detail,.fp-tick,.fp-note{fill:#5b6575;font-size:11px}.fp-tick{text-anchor:middle}" +
    ".fp-right{text-anchor:end}.fp-null{stroke:#1d2430;stroke-dasharray:4 3}.fp-axis{stroke:#1d2430}" +
    ".fp-ci{stroke:#1d2430;stroke-width:1.6}.fp-sig .fp-point{fill:#1f5fae}" +
    ".fp-ns .fp-point,.fp-unknown .fp-point{fill:#fff;stroke:#8a94a6;stroke-width:1.6}.fp-arrow{fill:#1d2430}" +
    ".fp-axis-title{text-anchor:middle;fill:#333}.fp-caption{font-weight:600;font-size:14px}";
  const SVG_NS = "http://www.w3.org/2000/svg";

  // Every panel of the section (one per outcome), stacked under its caption, as one SVG element.
  function combined(section) {
    const panels = Array.from(section.querySelectorAll("svg.forest-wide"));
    if (panels.length <= 1) return panels[0] || null;
    const out = document.createElementNS(SVG_NS, "svg");
    let y = 0, width = 0;
    for (const panel of panels) {
      const caption = panel.closest("figure") && panel.closest("figure").querySelector("figcaption");
      if (caption) {
        const text = document.createElementNS(SVG_NS, "text");
        text.setAttribute("class", "fp-caption");
        text.setAttribute("x", "8");
        text.setAttribute("y", String(y + 18));
        text.textContent = caption.textContent.trim();
        out.appendChild(text);
        y += 26;
      }
      const box = panel.viewBox.baseVal;
      const copy = panel.cloneNode(true);
      copy.setAttribute("x", "0");
      copy.setAttribute("y", String(y));
      copy.setAttribute("width", String(box.width));
      copy.setAttribute("height", String(box.height));
      out.appendChild(copy);
      y += box.height + 12;
      width = Math.max(width, box.width);
    }
    out.setAttribute("viewBox", "0 0 " + width + " " + y);
    return out;
  }

  function standalone(svg) {
    const copy = svg.cloneNode(true);
    const style = document.createElementNS("http://www.w3.org/2000/svg", "style");
    style.textContent = STYLE;
    copy.insertBefore(style, copy.firstChild);
    const box = svg.viewBox.baseVal;
    copy.setAttribute("width", String(box.width));
    copy.setAttribute("height", String(box.height));
    return new XMLSerializer().serializeToString(copy);
  }

  function save(blob, name) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  for (const button of document.querySelectorAll("[data-export]")) {
    button.addEventListener("click", () => {
      const section = button.closest("section");
      const svg = section && combined(section);
      if (!svg) return;
      const text = standalone(svg);
      const name = (document.title.split(" · ")[0] || "forest-plot").replace(/[^\w-]+/g, "-").toLowerCase();
      if (button.dataset.export === "svg") {
        save(new Blob([text], { type: "image/svg+xml" }), name + "-forest.svg");
        return;
      }
      const box = svg.viewBox.baseVal;
      const image = new Image();
      const url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
      image.onload = () => {
        const canvas = document.createElement("canvas");
        canvas.width = box.width * 2;
        canvas.height = box.height * 2;
        const context = canvas.getContext("2d");
        context.fillStyle = "#fff";
        context.fillRect(0, 0, canvas.width, canvas.height);
        context.drawImage(image, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        canvas.toBlob((blob) => save(blob, name + "-forest.png"), "image/png");
      };
      image.src = url;
    });
  }
})();

// On phones the navigation collapses behind a Menu button (without JavaScript it stays open).
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  const toggle = document.querySelector(".menu-toggle");
  const nav = document.getElementById("site-nav");
  if (!toggle || !nav) return;
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("open", open);
  });
})();

// Sortable tables: click a column header to sort by it (numbers as numbers), again to reverse.
(function () {
  "use strict";
  const key = (cell) => {
    const text = (cell ? cell.textContent : "").trim();
    const number = parseFloat(text.replace(/[^0-9eE.+-]/g, ""));
    return { text: text.toLowerCase(), number: /^[<>=≤≥~]?\s*-?[0-9]/.test(text) && !isNaN(number) ? number : null };
  };
  for (const table of document.querySelectorAll("table.sortable")) {
    const heads = table.querySelectorAll("thead th");
    heads.forEach((th, column) => {
      th.classList.add("sortable-head");
      th.tabIndex = 0;
      const sort = () => {
        const body = table.tBodies[0];
        if (!body) return;
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach((other) => other.removeAttribute("aria-sort"));
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const rows = Array.from(body.rows);
        rows.sort((a, b) => {
          const x = key(a.cells[column]);
          const y = key(b.cells[column]);
          let order;
          if (x.number !== null && y.number !== null) order = x.number - y.number;
          else if (x.number !== null) order = -1;
          else if (y.number !== null) order = 1;
          else order = x.text.localeCompare(y.text);
          return ascending ? order : -order;
        });
        for (const row of rows) body.appendChild(row);
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", (event) => { if (event.key === "Enter") sort(); });
    });
  }
})();

// Evidence tables on entity pages: filter rows by outcome and kind (choices from the rows themselves).
(function () {
  for (const box of document.querySelectorAll("[data-filters-for]")) {
    const section = document.getElementById(box.dataset.filtersFor);
    if (!section) continue;
    const rows = Array.from(section.querySelectorAll("tr[data-outcome]"));
    const selects = Array.from(box.querySelectorAll("select[data-filter]"));
    for (const select of selects) {
      const key = select.dataset.filter;
      const values = Array.from(new Set(rows.map((r) => r.dataset[key]).filter(Boolean))).sort();
      for (const v of values) select.add(new Option(v, v));
    }
    const apply = () => {
      for (const row of rows) {
        row.hidden = !selects.every((s) => !s.value || row.dataset[s.dataset.filter] === s.value);
      }
      for (const table of section.querySelectorAll("table[data-group]")) {
        const shown = table.querySelectorAll("tbody tr:not([hidden])").length;
        table.closest(".table-wrap").hidden = shown === 0;
        const heading = table.closest(".table-wrap").previousElementSibling;
        if (heading && heading.tagName === "H3") heading.hidden = shown === 0;
      }
    };
    selects.forEach((s) => s.addEventListener("change", apply));
    if (rows.length > 5) box.hidden = false;
  }
})();
