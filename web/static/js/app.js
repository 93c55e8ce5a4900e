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
